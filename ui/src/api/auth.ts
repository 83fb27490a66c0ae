// What the query API wants to know about the user: the bearer token
// (spoor --query.auth.bearer-tokens-file) and the tenant (spoor
// --multi-tenancy.enabled). Every request carries the token and the tenant
// once they are known. A 401 opens the dialog asking for a token; a 400 with
// the Spoor-Tenant-Header header (the name of the header that carries the
// tenant) opens it asking for a tenant. The request, with any made
// meanwhile, waits for what the user types, then is sent again. Both are
// kept in sessionStorage: they last as long as the browser tab, until "Sign
// out" or "Switch tenant".

import { useSyncExternalStore } from 'react';

const TOKEN_KEY = 'spoor.token';
const TENANT_KEY = 'spoor.tenant';
const TENANT_HEADER_KEY = 'spoor.tenantHeader';
/** Names the header that carries the tenant, on the server's answer 400 to a request without a valid one. */
const TENANT_HEADER_HINT = 'spoor-tenant-header';

/** What the dialog asks for. */
export type PromptKind = 'token' | 'tenant';

export interface Prompt {
  kind: PromptKind;
  /** What the server answered the last request (without the value, or with a wrong one). */
  message: string;
  /** The value the user typed was refused. */
  refused: boolean;
  /** A typed value is being tried. */
  checking: boolean;
}

export interface AuthState {
  /** The token sent with every request; null until one is known. */
  token: string | null;
  /** The tenant sent with every request (in `tenantHeader`); null until one is known. */
  tenant: string | null;
  /** The header that carries the tenant, as the server named it; null until it asks for a tenant. */
  tenantHeader: string | null;
  /** What the dialog asks; null while no request waits for an answer. */
  prompt: Prompt | null;
}

function load(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Private mode without storage: the value lasts until the page is left.
  }
}

let state: AuthState = { token: load(TOKEN_KEY), tenant: load(TENANT_KEY), tenantHeader: load(TENANT_HEADER_KEY), prompt: null };
const listeners = new Set<() => void>();
let answer: { promise: Promise<void>; resolve: () => void } | null = null;

function update(next: Partial<AuthState>): void {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function authState(): AuthState {
  return state;
}

/** The token, the tenant and the prompt, re-rendering when they change. */
export function useAuth(): AuthState {
  return useSyncExternalStore(subscribe, authState);
}

/** Resolves when the user has answered the dialog. */
function answered(): Promise<void> {
  if (!answer) {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    answer = { promise, resolve };
  }
  return answer.promise;
}

/** Opens the dialog, or says that the value just typed was refused; resolves when the next one is typed. */
function ask(kind: PromptKind, message: string): Promise<void> {
  const { prompt } = state;
  if (!prompt || prompt.checking) {
    const refused = prompt?.checking === true && prompt.kind === kind;
    update({ prompt: { kind, message, refused, checking: false } });
  }
  return answered();
}

/** The dialog's answer: the requests waiting are sent again with it. */
function submit(next: Partial<AuthState>): void {
  update({ ...next, prompt: state.prompt && { ...state.prompt, checking: true } });
  answer?.resolve();
  answer = null;
}

export function submitToken(token: string): void {
  store(TOKEN_KEY, token);
  submit({ token });
}

export function submitTenant(tenant: string): void {
  store(TENANT_KEY, tenant);
  submit({ tenant });
}

/** Forgets the token and starts the page again. */
export function signOut(): void {
  store(TOKEN_KEY, null);
  location.reload();
}

/** Forgets the tenant and starts the page again, which asks for one. */
export function switchTenant(): void {
  store(TENANT_KEY, null);
  location.reload();
}

/** Why the server wants something from the user, or null for an ordinary answer (the body is then left unread). */
async function refusal(res: Response): Promise<{ kind: PromptKind; message: string; tenantHeader?: string } | null> {
  if (res.status === 401) return { kind: 'token', message: (await res.text()).trim() || res.statusText };
  const tenantHeader = res.headers.get(TENANT_HEADER_HINT)?.trim().toLowerCase();
  if (res.status !== 400 || !tenantHeader) return null;
  const text = await res.text();
  let message: string | undefined;
  try {
    message = (JSON.parse(text) as { errors?: { msg?: string }[] | null }).errors?.[0]?.msg;
  } catch {
    // Not Jaeger's envelope: the text says it.
  }
  return { kind: 'tenant', message: message || text.trim() || res.statusText, tenantHeader };
}

/** A request sent with `sent` was answered (or failed) without a refusal: a value being tried works. */
function settled(sent: AuthState): void {
  if (sent.token === state.token && sent.tenant === state.tenant && state.prompt?.checking) update({ prompt: null });
}

/**
 * fetch() with the token and the tenant; a 401 asks for a token, a 400 that
 * names the tenant header asks for a tenant, and the request is sent again
 * with the answer.
 */
export async function fetchWithAuth(input: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    if (state.prompt && !state.prompt.checking) await answered();
    const sent = state;
    const headers = new Headers(init.headers);
    if (sent.token) headers.set('authorization', `Bearer ${sent.token}`);
    if (sent.tenant && sent.tenantHeader) headers.set(sent.tenantHeader, sent.tenant);
    let res: Response;
    try {
      res = await fetch(input, { ...init, headers });
    } catch (e) {
      settled(sent);
      throw e;
    }
    const asked = await refusal(res);
    if (!asked) {
      settled(sent);
      return res;
    }
    if (asked.tenantHeader && asked.tenantHeader !== state.tenantHeader) {
      store(TENANT_HEADER_KEY, asked.tenantHeader);
      update({ tenantHeader: asked.tenantHeader });
      // A tenant known already goes again, in the header the server names.
      if (state.tenant) continue;
    }
    // A value that came while this request was on its way is tried at once.
    if (sent.token === state.token && sent.tenant === state.tenant) await ask(asked.kind, asked.message);
  }
}
