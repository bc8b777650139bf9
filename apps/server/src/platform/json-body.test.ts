import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newAccount, testApp } from '../test/harness.js';
import type { TestApp } from '../test/harness.js';
import { MAX_JSON_DEPTH } from './plain-json.js';

// HTTP bodies go through the same guard as socket frames (platform/plain-json.ts).

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const register = (payload: string, contentType = 'application/json') =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/register',
    headers: { 'content-type': contentType },
    payload,
  });

async function userCount(): Promise<number> {
  return (await t.db.db.selectFrom('users').select('id').execute()).length;
}

/** A valid registration body as JSON text, with `extra` spliced in before the closing brace. */
function registration(extra: string): string {
  const text = JSON.stringify(newAccount('json'));
  return `${text.slice(0, -1)},${extra}}`;
}

describe('HTTP JSON bodies', () => {
  it('a well-formed body still registers (the guard refuses only what it must)', async () => {
    const res = await register(
      JSON.stringify(newAccount('json')),
      'application/json; charset=utf-8',
    );
    expect(res.statusCode).toBe(201);
    expect(await userCount()).toBe(1);
  });

  it.each([
    ['a duplicate key', registration('"email":"second@example.org"')],
    ['a duplicate key spelled with an escape', registration('"\\u0065mail":"second@example.org"')],
    ['a __proto__ key', registration('"__proto__":{"role":"admin"}')],
    ['a constructor key', registration('"constructor":{"prototype":{"role":"admin"}}')],
    ['200-deep nesting', registration(`"x":${'['.repeat(200)}${']'.repeat(200)}`)],
    ['a 400-digit number', registration(`"x":${'9'.repeat(400)}`)],
    ['a number past the double range', registration('"x":1e400')],
    ['malformed JSON', '{"email":'],
    ['an empty body', ''],
  ])('%s is 400 INVALID_JSON and creates nothing', async (_name, payload) => {
    const res = await register(payload);
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error).toMatchObject({ code: 'INVALID_JSON', details: {} });
    expect(error.message).toMatch(/^The request body (was refused|is empty)/);
    expect(error.requestId).toBe(res.headers['x-request-id']);
    expect(await userCount()).toBe(0);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it('says which rule a refused body broke', async () => {
    const duplicate = await register('{"a":1,"a":2}');
    expect(duplicate.json().error.message).toMatch(/duplicate key/i);
    const deep = await register('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1));
    expect(deep.json().error.message).toMatch(/nested too deeply/);
    const proto = await register('{"__proto__":{}}');
    expect(proto.json().error.message).toContain('"__proto__"');
    const huge = await register(`{"a":${'1'.repeat(400)}}`);
    expect(huge.json().error.message).toMatch(/number/);
  });

  it('a body nested up to the limit parses and reaches the schema', async () => {
    const deep = '['.repeat(MAX_JSON_DEPTH - 1) + ']'.repeat(MAX_JSON_DEPTH - 1);
    const res = await register(registration(`"x":${deep}`));
    // The register schema does not know "x"; what matters is that parsing let it through.
    expect(res.json().error?.code).not.toBe('INVALID_JSON');
  });
});
