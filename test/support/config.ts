import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

/** The smallest valid config (placeholder credentials), for tests that never talk to HubSoft or Asterisk. */
export function offlineConfig(sections: Record<string, Record<string, unknown>> = {}): Config {
  return parseConfig({
    hubsoft: { url: 'http://127.0.0.1:1', clientId: 'a', clientSecret: 'b', username: 'c', password: 'd' },
    ami: { username: 'u', secret: 's' },
    ...sections,
  });
}
