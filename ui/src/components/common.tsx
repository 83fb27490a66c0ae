import type { ReactNode } from 'react';
import { serviceColor } from '../model/colors';

export function Loading({ what }: { what: string }) {
  return <div className="notice">Loading {what}…</div>;
}

export function ErrorNotice({ error }: { error: unknown }) {
  const text = error instanceof Error ? error.message : String(error);
  return (
    <div className="notice error" role="alert">
      {text}
    </div>
  );
}

export function ServiceDot({ service }: { service: string }) {
  return <span className="service-dot" style={{ background: serviceColor(service) }} aria-hidden="true" />;
}

export function ServiceBadge({ service, count, errors }: { service: string; count?: number; errors?: number }) {
  return (
    <span className="service-badge" style={{ borderColor: serviceColor(service) }}>
      <ServiceDot service={service} />
      {service}
      {count !== undefined ? <span className="count">{count}</span> : null}
      {errors ? (
        <span className="error-count" title="spans with errors">
          {errors}!
        </span>
      ) : null}
    </span>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="notice">{children}</div>;
}
