// The query language of the search page's Query tab (TraceQL's form, sent as
// `query.filter`; ../../../docs/query-language.md): the search form turned into
// a query, and the server's "query.filter at N: …" errors pointed at in the text.

import { parseLogfmt } from './logfmt';
import type { SearchForm } from './searchParams';

/** A string literal: double quotes, with `"`, `\`, newlines and tabs escaped. */
export function quoteString(s: string): string {
  return `"${s.replace(/["\\\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\${c}`))}"`;
}

/** `.key` for an attribute of the span or its resource; a key with other characters is quoted (`."my key"`). */
export function attributeField(key: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(key) ? `.${key}` : `.${quoteString(key)}`;
}

/**
 * A tag value as the form has it (text) as a literal. Comparisons are typed, and Jaeger's tag
 * search compares the text of numbers and booleans: `http.status_code=500` means the number 500,
 * `error=true` the boolean. Anything else (also `007`, `1e3`) is a string.
 */
export function tagLiteral(value: string): string {
  if (value === 'true' || value === 'false') return value;
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value)) return value;
  return quoteString(value);
}

/** A duration as typed in the form (a Go duration: 300ms, 1.5s, .5s), as the query language writes it. */
export function durationLiteral(text: string): string {
  const t = text.trim();
  return t.startsWith('.') ? `0${t}` : t;
}

/**
 * The search form as one span selector: every condition on the same span, as Jaeger's search
 * does; an empty form selects every span (`{ }`). The time window and the limit are not part
 * of the query. Tags the form cannot read are left out (the form refuses them).
 */
export function formToFilter(form: SearchForm): string {
  const conditions: string[] = [];
  if (form.service) conditions.push(`resource.service.name = ${quoteString(form.service)}`);
  if (form.operation) conditions.push(`name = ${quoteString(form.operation)}`);
  if (form.spanKind) conditions.push(`kind = ${form.spanKind}`);
  for (const [key, value] of Object.entries(parseLogfmt(form.tags).tags ?? {})) {
    conditions.push(`${attributeField(key)} = ${tagLiteral(value)}`);
  }
  if (form.minDuration) conditions.push(`duration >= ${durationLiteral(form.minDuration)}`);
  if (form.maxDuration) conditions.push(`duration <= ${durationLiteral(form.maxDuration)}`);
  return conditions.length ? `{ ${conditions.join(' && ')} }` : '{ }';
}

/** A query the server refused, and the 1-based position (in characters) it names. */
export interface QueryError {
  message: string;
  position: number;
}

/**
 * The server's error for a query that does not parse (HTTP 400, "query.filter at 14: expected …"),
 * or null for any other error. `error` is the client's ApiRequestError ("HTTP 400: …", status).
 */
export function queryErrorOf(error: unknown): QueryError | null {
  if (typeof error !== 'object' || error === null || (error as { status?: unknown }).status !== 400) return null;
  const text = error instanceof Error ? error.message : String(error);
  const m = /^(?:HTTP \d+: )?(query\.filter at (\d+): [\s\S]*)$/.exec(text);
  return m ? { message: m[1], position: Number(m[2]) } : null;
}

/**
 * The index in `text` (UTF-16, 0-based) of the 1-based position the server counts in characters
 * (code points: "😀" is one, two UTF-16 units); one past the end gives the end.
 */
export function positionToIndex(text: string, position: number): number {
  const target = Math.max(0, position - 1);
  let characters = 0;
  let index = 0;
  for (const ch of text) {
    if (characters === target) return index;
    characters += 1;
    index += ch.length;
  }
  return text.length;
}

/** The line of `text` holding `index`, and a line with `^` under that character (tabs kept, so it lines up). */
export interface ErrorMarker {
  /** 1-based */
  line: number;
  /** 1-based, in characters */
  column: number;
  text: string;
  caret: string;
}

export function errorMarker(text: string, index: number): ErrorMarker {
  const at = Math.max(0, Math.min(index, text.length));
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const newline = text.indexOf('\n', at);
  const lineText = text.slice(start, newline < 0 ? text.length : newline);
  const before = Array.from(text.slice(start, at));
  return {
    line: text.slice(0, start).split('\n').length,
    column: before.length + 1,
    text: lineText,
    caret: `${before.map((c) => (c === '\t' ? '\t' : ' ')).join('')}^`,
  };
}
