// The server rewrites `<base href="/" data-inject-target="BASE_URL">` in
// index.html to its --query.base-path (e.g. `/jaeger/`). Routes and API
// calls are resolved against it, so one build serves any prefix.

/** The base path without a trailing slash: '' for `/`, '/jaeger' for `/jaeger/`. */
export function basePath(doc: Document | undefined = globalThis.document): string {
  const href = doc?.querySelector('base')?.getAttribute('href') ?? '/';
  return normaliseBasePath(href);
}

/** '/' -> '', 'jaeger' -> '/jaeger', '/a/b/' -> '/a/b'; full URLs keep only the path. */
export function normaliseBasePath(href: string): string {
  let path = href;
  const scheme = /^[a-z]+:\/\/[^/]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  if (!path.startsWith('/')) path = `/${path}`;
  return path.replace(/\/+$/, '');
}
