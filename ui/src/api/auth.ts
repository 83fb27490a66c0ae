// The query API's bearer token (spoor --query.auth.bearer-tokens-file).
// Every request carries the token once one is known. A 401 opens the token
// dialog, and the request (with any made meanwhile) waits for the token the
// user types, then is sent again. The token is kept in sessionStorage: it
// lasts as long as the browser tab, until "Sign out".

import { useSyncExternalStore } from 'react';

const TOKEN_KEY = 'spoor.token';

export interface TokenPrompt {
  /** What the server answered the last request (without a token, or with a wrong one). */
  message: string;
  /** The token the user typed was refused. */
  refused: boolean;
  /** A typed token is being tried. */
  checking: boolean;
}

export interface AuthState {
  /** The token sent with every request; null until one is known. */
  token: string | null;
  /** What the token dialog asks; null while no request waits for a token. */
  prompt: TokenPrompt | null;
}

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

let state: AuthState = { token: storedToken(), prompt: null };
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

/** The token and the prompt, re-rendering when they change. */
export function useAuth(): AuthState {
  return useSyncExternalStore(subscribe, authState);
}

/** Resolves when the user has submitted a token. */
function answered(): Promise<void> {
  if (!answer) {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    answer = { promise, resolve };
  }
  return answer.promise;
}

/** Opens the dialog, or says that the token just typed was refused; resolves when the next one is typed. */
function ask(message: string): Promise<void> {
  const { prompt } = state;
  if (!prompt || prompt.checking) update({ prompt: { message, refused: prompt?.checking ?? false, checking: false } });
  return answered();
}

/** The dialog's answer: the requests waiting for a token are sent again with this one. */
export function submitToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Private mode without storage: the token lasts until the page is left.
  }
  update({ token, prompt: state.prompt && { ...state.prompt, checking: true } });
  answer?.resolve();
  answer = null;
}

/** Forgets the token and starts the page again. */
export function signOut(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing was stored.
  }
  location.reload();
}

/** A request with `token` was answered (or failed) other than with a 401: a token being tried works. */
function settled(token: string | null): void {
  if (token === state.token && state.prompt?.checking) update({ prompt: null });
}

/** fetch() with the token; a 401 asks for a token and sends the request again with it. */
export async function fetchWithToken(input: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    if (state.prompt && !state.prompt.checking) await answered();
    const { token } = state;
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetch(input, { ...init, headers });
    } catch (e) {
      settled(token);
      throw e;
    }
    if (res.status !== 401) {
      settled(token);
      return res;
    }
    const message = (await res.text()).trim() || res.statusText;
    // A token that came while this request was on its way is tried at once.
    if (token === state.token) await ask(message);
  }
}
