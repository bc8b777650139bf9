import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin.js';
import { TokenBucket } from './token-bucket.js';

describe('isOriginAllowed', () => {
  it('allows no Origin, the request host and configured origins; refuses the rest', () => {
    const allowed = ['https://meet.example.org'];
    expect(isOriginAllowed(undefined, 'meet.local:8080', allowed)).toBe(true);
    expect(isOriginAllowed('http://meet.local:8080', 'meet.local:8080', allowed)).toBe(true);
    expect(isOriginAllowed('http://MEET.local:8080', 'meet.local:8080', allowed)).toBe(true);
    expect(isOriginAllowed('https://meet.example.org', 'internal:8080', allowed)).toBe(true);
    expect(isOriginAllowed('http://meet.example.org', 'internal:8080', allowed)).toBe(false);
    expect(isOriginAllowed('http://meet.local:9090', 'meet.local:8080', allowed)).toBe(false);
    expect(isOriginAllowed('https://meet.example.org.evil.com', 'x', allowed)).toBe(false);
    expect(isOriginAllowed('null', 'meet.local:8080', allowed)).toBe(false);
    expect(isOriginAllowed('http://meet.local:8080', undefined, [])).toBe(false);
  });
});

describe('TokenBucket', () => {
  it('serves a burst, refuses past it, and refills at the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(50, 200, () => now);
    for (let i = 0; i < 200; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 100; // 5 tokens
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 60_000; // never more than the burst
    for (let i = 0; i < 200; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });
});
