import { afterEach, beforeEach, expect, test, vi } from 'vitest';

// A fake query API (spoor --query.auth.bearer-tokens-file) and the tab's
// sessionStorage, both fresh for each test, as is the module state of
// auth.ts (vi.resetModules).
const TOKEN_KEY = 'spoor.token';
let stored: Map<string, string>;
let sent: (string | null)[]; // the Authorization header of each request

/** A query API that wants `Bearer <token>`; without a token, one that wants none. */
function server(token?: string) {
  return vi.fn(async (_input: string, init?: RequestInit) => {
    const auth = new Headers(init?.headers).get('authorization');
    sent.push(auth);
    if (!token || auth === `Bearer ${token}`) return new Response(JSON.stringify({ data: ['shop'] }), { status: 200 });
    const text = auth ? 'the bearer token is not valid\n' : 'authentication required: send the header Authorization: Bearer <token>\n';
    return new Response(text, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  });
}

beforeEach(() => {
  vi.resetModules();
  stored = new Map();
  sent = [];
  vi.stubGlobal('sessionStorage', {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
    removeItem: (k: string) => void stored.delete(k),
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Resolves with the prompt once the token dialog asks. */
async function prompted(auth: typeof import('./auth')) {
  await vi.waitFor(() => expect(auth.authState().prompt).not.toBeNull());
  return auth.authState().prompt!;
}

test('without a token nothing is sent; a token kept in sessionStorage goes with every request', async () => {
  vi.stubGlobal('fetch', server());
  await (await import('./client')).getServices();
  expect(sent).toEqual([null]);

  vi.resetModules();
  sent = [];
  stored.set(TOKEN_KEY, 'good');
  vi.stubGlobal('fetch', server('good'));
  const client = await import('./client');
  expect(await client.getServices()).toEqual(['shop']);
  await client.getOperations('shop');
  expect(sent).toEqual(['Bearer good', 'Bearer good']);
  expect((await import('./auth')).authState().prompt).toBeNull();
});

test('a 401 asks for the token; waiting requests are sent again with it, and it is kept for the session', async () => {
  vi.stubGlobal('fetch', server('good'));
  const client = await import('./client');
  const auth = await import('./auth');
  const services = client.getServices();
  const prompt = await prompted(auth);
  expect(prompt).toEqual({
    message: 'authentication required: send the header Authorization: Bearer <token>',
    refused: false,
    checking: false,
  });
  // A request made while the dialog asks waits instead of failing.
  const operations = client.getOperations('shop');
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(sent).toEqual([null]);

  auth.submitToken('good');
  expect(await services).toEqual(['shop']);
  expect(await operations).toEqual(['shop']);
  expect(sent).toEqual([null, 'Bearer good', 'Bearer good']);
  expect(auth.authState()).toEqual({ token: 'good', prompt: null });
  expect(stored.get(TOKEN_KEY)).toBe('good');
});

test('a refused token is said to be refused and the dialog keeps asking', async () => {
  vi.stubGlobal('fetch', server('good'));
  const client = await import('./client');
  const auth = await import('./auth');
  const services = client.getServices();
  await prompted(auth);

  auth.submitToken('bad');
  expect(auth.authState().prompt?.checking).toBe(true);
  await vi.waitFor(() => expect(auth.authState().prompt?.refused).toBe(true));
  expect(auth.authState().prompt).toEqual({ message: 'the bearer token is not valid', refused: true, checking: false });

  auth.submitToken('good');
  expect(await services).toEqual(['shop']);
  expect(sent).toEqual([null, 'Bearer bad', 'Bearer good']);
  expect(auth.authState().prompt).toBeNull();
});

test('a stored token the server no longer takes brings the dialog back', async () => {
  stored.set(TOKEN_KEY, 'revoked');
  vi.stubGlobal('fetch', server('good'));
  const client = await import('./client');
  const auth = await import('./auth');
  const services = client.getServices();
  expect(await prompted(auth)).toMatchObject({ message: 'the bearer token is not valid', refused: false });
  auth.submitToken('good');
  expect(await services).toEqual(['shop']);
  expect(stored.get(TOKEN_KEY)).toBe('good');
});

test('other failures are not taken for a missing token', async () => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"errors":[{"code":500,"msg":"storage down"}]}', { status: 500 })),
  );
  const client = await import('./client');
  await expect(client.getServices()).rejects.toThrow('HTTP 500: storage down');
  expect((await import('./auth')).authState().prompt).toBeNull();
});
