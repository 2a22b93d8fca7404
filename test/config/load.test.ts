import { expect } from 'chai';
import { isBridgeError } from '../../src/errors.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';

const minimal = {
  hubsoft: { url: 'https://hubsoft.provedor.com.br', clientId: '3', clientSecret: 'cs', username: 'api@p.com.br', password: 'pw' },
  ami: { username: 'bridge', secret: 'ami' },
};

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isBridgeError(error, 'CONFIG_INVALID'), String(error)).to.equal(true);
    return (error as Error).message;
  }
  throw new Error('expected CONFIG_INVALID');
}

const withHubsoft = (patch: Record<string, unknown>) => ({ ...minimal, hubsoft: { ...minimal.hubsoft, ...patch } });

describe('config: validation names the key', () => {
  it('accepts the minimal config and fills defaults', () => {
    const config = parseConfig(minimal);
    expect(config.hubsoft.requestTimeoutMs).to.be.a('number');
    expect(config.lookup.maxRequests).to.be.at.least(1);
    expect(config.hubsoft.tls.insecure).to.equal(false);
  });

  it('the result is frozen', () => {
    const config = parseConfig(minimal);
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.hubsoft)).to.equal(true);
  });

  it('bad hubsoft.url', () => {
    expect(configError(() => parseConfig(withHubsoft({ url: 'hubsoft.provedor.com.br' })))).to.contain(
      'hubsoft.url: must be an https:// or http:// URL',
    );
  });

  it('missing secrets name their key', () => {
    const { password: _password, ...rest } = minimal.hubsoft;
    expect(configError(() => parseConfig({ ...minimal, hubsoft: rest }))).to.match(/hubsoft\.password: is required/);
    expect(configError(() => parseConfig({ ...minimal, ami: { username: 'bridge' } }))).to.match(/ami\.secret: is required/);
  });

  it('numbers and ports', () => {
    expect(configError(() => parseConfig({ ...minimal, ami: { ...minimal.ami, port: 70000 } }))).to.contain('ami.port');
    expect(configError(() => parseConfig(withHubsoft({ requestTimeoutMs: -5 })))).to.contain('hubsoft.requestTimeoutMs');
    expect(configError(() => parseConfig(withHubsoft({ retries: 9 })))).to.contain('hubsoft.retries');
  });

  it('lookup.defaultAreaCode must be a DDD', () => {
    expect(configError(() => parseConfig({ ...minimal, lookup: { defaultAreaCode: '037' } }))).to.contain('lookup.defaultAreaCode');
  });

  it('lists every bad key at once', () => {
    const message = configError(() => parseConfig({ hubsoft: { url: 'x' }, ami: {} }));
    for (const key of ['hubsoft.url', 'hubsoft.clientId', 'hubsoft.clientSecret', 'hubsoft.username', 'hubsoft.password', 'ami.username', 'ami.secret']) {
      expect(message).to.contain(key);
    }
  });

  it('environment variables override the file, and suffice without one', () => {
    const env = {
      HUBSOFT_URL: 'https://env.example.com.br/',
      HUBSOFT_CLIENT_ID: '9',
      HUBSOFT_CLIENT_SECRET: 'env-cs',
      HUBSOFT_USERNAME: 'env@x.com.br',
      HUBSOFT_PASSWORD: 'env-pw',
      AMI_USERNAME: 'envami',
      AMI_SECRET: 'env-ami',
      AMI_PORT: '5039',
      LOG_LEVEL: 'debug',
    };
    const missing = (): string => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    const { config, source } = loadConfig({ env, readFile: missing });
    expect(source).to.equal(null);
    expect(config.hubsoft.url).to.equal('https://env.example.com.br');
    expect(config.ami.port).to.equal(5039);
    expect(config.log.level).to.equal('debug');

    const fromFile = loadConfig({ path: '/etc/x.yaml', env: { HUBSOFT_PASSWORD: 'from-env' }, readFile: () => JSON.stringify(minimal) });
    expect(fromFile.config.hubsoft.password).to.equal('from-env');
    expect(fromFile.config.hubsoft.clientSecret).to.equal('cs');
  });

  it('a missing file without enough environment is CONFIG_NOT_FOUND', () => {
    const missing = (): string => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    let error: unknown;
    try {
      loadConfig({ env: {}, readFile: missing });
    } catch (e) {
      error = e;
    }
    expect(isBridgeError(error, 'CONFIG_NOT_FOUND')).to.equal(true);
  });
});

describe('config: strict keys and plain words', () => {
  it('an unknown key is an error naming it, with the closest known key', () => {
    const message = configError(() => parseConfig({ ...minimal, lokup: { maxRequests: 2 }, lookup: { defaultAreaCod: '37' } }));
    expect(message).to.contain('lokup: unknown key (did you mean `lookup`?)');
    expect(message).to.contain('lookup.defaultAreaCod: unknown key (did you mean `defaultAreaCode`?)');
  });

  it('an unknown key far from any known one is still named', () => {
    expect(configError(() => parseConfig({ ...minimal, frobnicate: 1 }))).to.match(/frobnicate: unknown key; known keys here: hubsoft, ami/);
  });

  it('a missing section, a word for a number, a bad choice: path, what was found, what is expected', () => {
    expect(configError(() => parseConfig({ hubsoft: minimal.hubsoft }))).to.contain('ami: missing; expected a section (a YAML mapping of keys)');
    expect(configError(() => parseConfig({ ...minimal, health: { port: 'abc' } }))).to.contain('health.port: found "abc", expected a number');
    expect(configError(() => parseConfig({ ...minimal, log: { level: 'loud' } }))).to.contain('log.level: found "loud", expected one of "fatal"');
  });
});
