import { afterEach, beforeEach, expect, test, vi } from 'vitest';

// A fake query API (spoor --query.auth.bearer-tokens-file or
// --multi-tenancy.enabled) and the tab's sessionStorage, both fresh for each
// test, as is the module state of auth.ts (vi.resetModules).
const TOKEN_KEY = 'spoor.token';
const TENANT_KEY = 'spoor.tenant';
const TENANT_HEADER_KEY = 'spoor.tenantHeader';
let stored: Map<string, string>;
let sent: (string | null)[]; // the Authorization header of each request
let requests: Headers[]; // the headers of each request to tenantServer()

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
  requests = [];
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
    kind: 'token',
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
  expect(auth.authState()).toEqual({ token: 'good', tenant: null, tenantHeader: null, prompt: null });
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
  expect(auth.authState().prompt).toEqual({ kind: 'token', message: 'the bearer token is not valid', refused: true, checking: false });

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
  expect(await prompted(auth)).toMatchObject({ kind: 'token', message: 'the bearer token is not valid', refused: false });
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

/**
 * A query API with the tenants acme and beta (spoor --multi-tenancy.enabled
 * --multi-tenancy.tenants=acme,beta) that answers each tenant's services.
 * With `tokens` (token -> tenant), it wants a token too, and takes its tenant.
 */
function tenantServer({ header = 'x-tenant', tokens }: { header?: string; tokens?: Record<string, string> } = {}) {
  return vi.fn(async (_input: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    requests.push(headers);
    const refuse = (msg: string) =>
      new Response(JSON.stringify({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg }] }), {
        status: 400,
        headers: { 'Spoor-Tenant-Header': header },
      });
    let tenant = headers.get(header);
    if (tokens) {
      tenant = tokens[headers.get('authorization')?.replace(/^Bearer /, '') ?? ''] ?? null;
      if (!tenant) return new Response('the bearer token is not valid\n', { status: 401 });
    }
    if (!tenant) return refuse(`missing tenant: send the ${header} header`);
    if (!['acme', 'beta'].includes(tenant)) return refuse(`unknown tenant '${tenant}'`);
    return new Response(JSON.stringify({ data: [`${tenant}-shop`] }), { status: 200 });
  });
}

test('a tenant kept in sessionStorage goes with every request, in the header the server named', async () => {
  stored.set(TENANT_KEY, 'beta');
  stored.set(TENANT_HEADER_KEY, 'x-tenant');
  vi.stubGlobal('fetch', tenantServer());
  const client = await import('./client');
  expect(await client.getServices()).toEqual(['beta-shop']);
  await client.getOperations('beta-shop');
  expect(requests.map((h) => h.get('x-tenant'))).toEqual(['beta', 'beta']);
  expect(requests.map((h) => h.get('authorization'))).toEqual([null, null]);
  expect((await import('./auth')).authState().prompt).toBeNull();
});

test('a 400 naming the tenant header asks for the tenant; a refused one is said so; waiting requests are sent again', async () => {
  vi.stubGlobal('fetch', tenantServer());
  const client = await import('./client');
  const auth = await import('./auth');
  const services = client.getServices();
  expect(await prompted(auth)).toEqual({
    kind: 'tenant',
    message: 'missing tenant: send the x-tenant header',
    refused: false,
    checking: false,
  });
  expect(auth.authState().tenantHeader).toBe('x-tenant');
  expect(stored.get(TENANT_HEADER_KEY)).toBe('x-tenant');
  // A request made while the dialog asks waits instead of failing.
  const operations = client.getOperations('acme-shop');
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(requests).toHaveLength(1);

  auth.submitTenant('zzz');
  await vi.waitFor(() => expect(auth.authState().prompt?.refused).toBe(true));
  expect(auth.authState().prompt).toEqual({ kind: 'tenant', message: "unknown tenant 'zzz'", refused: true, checking: false });

  auth.submitTenant('acme');
  expect(await services).toEqual(['acme-shop']);
  expect(await operations).toEqual(['acme-shop']);
  // Both waiting requests tried the refused tenant, then the right one.
  expect(requests.map((h) => h.get('x-tenant'))).toEqual([null, 'zzz', 'zzz', 'acme', 'acme']);
  expect(auth.authState()).toEqual({ token: null, tenant: 'acme', tenantHeader: 'x-tenant', prompt: null });
  expect(stored.get(TENANT_KEY)).toBe('acme');
});

test('a kept tenant goes again, without asking, in the header the server names now', async () => {
  stored.set(TENANT_KEY, 'acme');
  stored.set(TENANT_HEADER_KEY, 'x-tenant');
  vi.stubGlobal('fetch', tenantServer({ header: 'x-scope-orgid' }));
  const client = await import('./client');
  expect(await client.getServices()).toEqual(['acme-shop']);
  expect(requests.map((h) => [h.get('x-tenant'), h.get('x-scope-orgid')])).toEqual([
    ['acme', null],
    [null, 'acme'],
  ]);
  expect(stored.get(TENANT_HEADER_KEY)).toBe('x-scope-orgid');
  expect((await import('./auth')).authState().prompt).toBeNull();
});

test("with a token the server takes the token's tenant: no tenant is asked", async () => {
  vi.stubGlobal('fetch', tenantServer({ tokens: { 'tok-beta': 'beta' } }));
  const client = await import('./client');
  const auth = await import('./auth');
  const services = client.getServices();
  expect(await prompted(auth)).toMatchObject({ kind: 'token' });
  auth.submitToken('tok-beta');
  expect(await services).toEqual(['beta-shop']);
  expect(requests.map((h) => [h.get('authorization'), h.get('x-tenant')])).toEqual([
    [null, null],
    ['Bearer tok-beta', null],
  ]);
  expect(auth.authState()).toEqual({ token: 'tok-beta', tenant: null, tenantHeader: null, prompt: null });
});

test('a 400 without Spoor-Tenant-Header is an ordinary error', async () => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"data":null,"errors":[{"code":400,"msg":"malformed tags"}]}', { status: 400 })),
  );
  const client = await import('./client');
  await expect(client.getServices()).rejects.toThrow('HTTP 400: malformed tags');
  expect((await import('./auth')).authState()).toEqual({ token: null, tenant: null, tenantHeader: null, prompt: null });
});

test('Switch tenant forgets the tenant and starts the page again', async () => {
  stored.set(TENANT_KEY, 'acme');
  stored.set(TENANT_HEADER_KEY, 'x-tenant');
  const reload = vi.fn();
  vi.stubGlobal('location', { reload });
  (await import('./auth')).switchTenant();
  expect(stored.has(TENANT_KEY)).toBe(false);
  expect(reload).toHaveBeenCalledOnce();
});
