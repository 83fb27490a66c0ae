/** One <option> of a service selector. */
export interface ServiceOption {
  key: string;
  value: string;
  label: string;
}

/**
 * The options of a service selector, in order: the placeholder when no service is chosen, else
 * the chosen service when the loaded list lacks it, then one option per loaded service.
 * `services` is null while the list loads; the placeholder is by default "Loading…" while it
 * loads, else "No services".
 */
export function serviceOptions(services: readonly string[] | null, value: string, placeholder?: string): ServiceOption[] {
  const options: ServiceOption[] = [];
  if (!value) options.push({ key: 'placeholder', value: '', label: placeholder ?? (services ? 'No services' : 'Loading…') });
  else if (services && !services.includes(value)) options.push({ key: 'chosen', value, label: value });
  for (const s of services ?? []) options.push({ key: `service:${s}`, value: s, label: s });
  return options;
}
