import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './trust-proxy.js';
import type { TrustProxy } from './trust-proxy.js';

// The socket upgrade's direct path takes the caller's address without Fastify
// (signaling/routes.ts): it must be the address Fastify's `req.ip` gives for the same
// request and TRUST_PROXY, or the per-address limits would count someone else.

const SETTINGS: TrustProxy[] = [
  false,
  ['loopback'],
  ['10.0.0.5'],
  ['10.0.0.0/8', 'fd00::/8'],
  ['uniquelocal', 'loopback'],
];

const REQUESTS: { from: string; forwarded?: string }[] = [
  { from: '127.0.0.1' },
  { from: '127.0.0.1', forwarded: '203.0.113.7' },
  { from: '127.0.0.1', forwarded: '198.51.100.1, 203.0.113.7' },
  { from: '10.0.0.5', forwarded: '198.51.100.1, 10.0.0.9, 203.0.113.7' },
  { from: '10.0.0.5', forwarded: '203.0.113.7, 10.0.0.9' },
  { from: '203.0.113.50', forwarded: '10.0.0.1' },
  { from: '::1', forwarded: '2001:db8::7' },
  { from: 'fd00::2', forwarded: '2001:db8::1, fd00::3' },
];

describe('clientAddress', () => {
  it.each(SETTINGS.map((s) => [JSON.stringify(s), s] as const))(
    'gives what Fastify’s req.ip gives with TRUST_PROXY %s',
    async (_name, trust) => {
      const app = Fastify({ trustProxy: trust });
      const direct = clientAddress(trust);
      app.get('/', (req) => ({ fastify: req.ip, direct: direct(req.raw) ?? null }));
      try {
        for (const r of REQUESTS) {
          const res = await app.inject({
            method: 'GET',
            url: '/',
            remoteAddress: r.from,
            headers: r.forwarded ? { 'x-forwarded-for': r.forwarded } : {},
          });
          const { fastify, direct: ours } = res.json<{ fastify: string; direct: string }>();
          expect(ours, `${r.from} ${r.forwarded ?? ''}`).toBe(fastify);
        }
        // Not every answer is the peer: the settings with proxies believe a hop.
        const hop = await app.inject({
          method: 'GET',
          url: '/',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': '203.0.113.7' },
        });
        expect(hop.json<{ direct: string }>().direct).toBe(
          trust === false || !trust.includes('loopback') ? '127.0.0.1' : '203.0.113.7',
        );
      } finally {
        await app.close();
      }
    },
  );
});
