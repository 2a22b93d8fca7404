import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { createHubsoftClient, type HubsoftClient } from '../../src/hubsoft/client.js';
import { FAKE_CREDENTIALS, type FakeHubsoft } from '../support/fake-hubsoft.js';

export interface ConfigOverrides {
  hubsoft?: Record<string, unknown>;
  lookup?: Record<string, unknown>;
}

/** A full, validated config pointing at the fake HubSoft, with short timeouts for tests. */
export function testConfig(fake: Pick<FakeHubsoft, 'url'>, overrides: ConfigOverrides = {}): Config {
  return parseConfig({
    hubsoft: {
      url: fake.url,
      ...FAKE_CREDENTIALS,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 2000,
      retries: 0,
      ...overrides.hubsoft,
    },
    ami: { username: 'bridge', secret: 'ami-secret-fake' },
    lookup: { defaultAreaCode: '37', ...overrides.lookup },
  });
}

/** A controllable clock: tests move time by hand. */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export function testClient(config: Config, now?: () => number): HubsoftClient {
  return createHubsoftClient(config.hubsoft, { logger: silentLogger(), now, retryBaseMs: 10, retryMaxMs: 20, rejectBackoffInitialMs: 5000, rejectBackoffMaxMs: 60000 });
}
