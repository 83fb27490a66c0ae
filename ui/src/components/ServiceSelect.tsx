import { serviceOptions } from '../model/serviceOptions';

interface Props {
  /** The loaded services; null while they load. */
  services: readonly string[] | null;
  value: string;
  onChange: (service: string) => void;
  /** The text of the empty option shown when no service is chosen: by default "Loading…", then "No services". */
  placeholder?: string;
  name?: string;
  'aria-label'?: string;
}

/** A <select> of the services, keeping a chosen service the list does not (yet) have. */
export function ServiceSelect({ services, value, onChange, placeholder, name, 'aria-label': ariaLabel }: Props) {
  return (
    <select name={name} aria-label={ariaLabel} value={value} onChange={(e) => onChange(e.target.value)}>
      {serviceOptions(services, value, placeholder).map((o) => (
        <option key={o.key} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
