// Service colours: each service gets the next colour of a fixed palette the
// first time it is drawn, so services seen together differ and keep their
// colour while the page is open. Past the palette, a hue from the name.
// No reds: red marks errors.

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#8cd17d',
  '#76b7b2',
  '#edc948',
  '#9c755f',
  '#ff9da7',
  '#1f77b4',
  '#8c564b',
  '#17becf',
  '#bcbd22',
  '#6b6ecf',
  '#e377c2',
  '#637939',
];

const assigned = new Map<string, string>();

function hashHue(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return 30 + ((h >>> 0) % 300); // 30..329: skips the reds around 0
}

export function serviceColor(service: string): string {
  let c = assigned.get(service);
  if (!c) {
    c = assigned.size < PALETTE.length ? PALETTE[assigned.size] : `hsl(${hashHue(service)} 55% 50%)`;
    assigned.set(service, c);
  }
  return c;
}

/** Assigns colours to these services in this order (e.g. a trace's services, sorted). */
export function reserveColors(services: string[]): void {
  for (const s of services) serviceColor(s);
}
