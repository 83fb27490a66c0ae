// Tags typed in the search form, in logfmt: `http.status_code=500 error=true msg="a b"`.

export type TagParseResult = { tags: Record<string, string>; error: null } | { tags: null; error: string };

export function parseLogfmt(text: string): TagParseResult {
  const tags: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < n) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    let key = '';
    while (i < n && text[i] !== '=' && !isSpace(text[i])) key += text[i++];
    if (i >= n || text[i] !== '=') return { tags: null, error: `tag "${key}" has no value (write key=value)` };
    i++;
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i++];
        if (c === '\\' && i < n) value += text[i++];
        else if (c === '"') {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) return { tags: null, error: `unterminated quote in the value of "${key}"` };
    } else {
      while (i < n && !isSpace(text[i])) value += text[i++];
    }
    if (!key) return { tags: null, error: 'a tag has an empty key' };
    tags[key] = value;
  }
  return { tags, error: null };
}

/** Tags back into logfmt, quoting values that need it. */
export function formatLogfmt(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => (v === '' || /[\s"=\\]/.test(v) ? `${k}="${v.replace(/["\\]/g, (c) => `\\${c}`)}"` : `${k}=${v}`))
    .join(' ');
}
