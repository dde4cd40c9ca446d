import { describe, expect, it } from 'vitest';
import { isNonPublicAddress, webhookUrlProblem } from './webhook-targets.js';

describe('webhook targets (SSRF guard)', () => {
  it('tells non-public addresses from public ones', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.31.255.255', '192.168.0.10', '169.254.169.254', '100.64.0.1',
      '0.0.0.0', '::1', '::', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::1]', '224.0.0.1']) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses local targets unless allowed, and non-http schemes and credentials always', () => {
    const strict = { allowPrivateTargets: false };
    const open = { allowPrivateTargets: true };
    // WHATWG URL parsing normalises numeric hosts: 2130706433 is 127.0.0.1.
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/x', 'http://[::1]/', 'http://2130706433/', 'http://api.internal/x']) {
      expect(webhookUrlProblem(new URL(url), strict), url).toMatch(/cannot receive/);
      expect(webhookUrlProblem(new URL(url), open), url).toBeNull();
    }
    expect(webhookUrlProblem(new URL('https://example.com/hooks'), strict)).toBeNull();
    expect(webhookUrlProblem(new URL('ftp://example.com/'), open)).toMatch(/http and https/);
    expect(webhookUrlProblem(new URL('https://user:pw@example.com/'), open)).toMatch(/Credentials/);
  });
});
