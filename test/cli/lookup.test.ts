import { expect } from 'chai';
import { silentLogger } from '../../src/log/logger.js';
import { runLookup } from '../../src/cli/lookup.js';
import type { LookupResult } from '../../src/hubsoft/types.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { JOAO, MARIA } from '../support/sample-clients.js';
import { testConfig } from '../hubsoft/helpers.js';

function capture(): { write(text: string): void; text: () => string } {
  let buffer = '';
  return { write: (t: string) => void (buffer += t), text: () => buffer };
}

describe('cli/lookup', () => {
  let fake: FakeHubsoft;
  beforeEach(async () => {
    fake = await startFakeHubsoft();
  });
  afterEach(() => fake.close());

  it('lookup 037999912222 finds the client whose phone is 37999912222', async () => {
    const out = capture();
    const code = await runLookup({ config: testConfig(fake), logger: silentLogger(), out, phone: '037999912222' });
    expect(code).to.equal(0);
    expect(out.text()).to.contain('normalised:  37999912222');
    expect(out.text()).to.contain(JOAO.nome_razaosocial);
    expect(out.text()).to.contain(`id_cliente=${JOAO.id_cliente}`);
    expect(out.text()).to.contain('candidates:  37999912222, 3799912222');
  });

  it('prints the alerts', async () => {
    const out = capture();
    await runLookup({ config: testConfig(fake), logger: silentLogger(), out, phone: '37988242968' });
    expect(out.text()).to.contain(`alert 1: ${MARIA.alerta_mensagens[0]}`);
    expect(out.text()).to.contain(`alert 2: ${MARIA.alerta_mensagens[1]}`);
  });

  it('--json prints the LookupResult', async () => {
    const out = capture();
    const code = await runLookup({ config: testConfig(fake), logger: silentLogger(), out, phone: '037999912222', json: true });
    expect(code).to.equal(0);
    const result = JSON.parse(out.text()) as LookupResult;
    expect(result.status).to.equal('found');
    expect(result.client?.id_cliente).to.equal(JOAO.id_cliente);
    expect(result.phone).to.equal('37999912222');
  });

  it('--json and the text list the same candidates and the same searched terms', async () => {
    const text = capture();
    await runLookup({ config: testConfig(fake), logger: silentLogger(), out: text, phone: '3730001111' });
    const json = capture();
    await runLookup({ config: testConfig(fake), logger: silentLogger(), out: json, phone: '3730001111', json: true });
    const parsed = JSON.parse(json.text()) as { candidates: string[]; searched: string[] };
    const line = (label: string) => new RegExp(`^${label}: +(.*)$`, 'm').exec(text.text())![1]!.split(', ');
    expect(parsed.candidates.length).to.be.greaterThan(1);
    expect(line('candidates')).to.deep.equal(parsed.candidates);
    expect(line('searched')).to.deep.equal(parsed.searched);
  });

  it('exit codes: 0 with "not found" for an unknown caller, 1 for withheld, 2 for a HubSoft error', async () => {
    const config = testConfig(fake);
    const unknown = capture();
    expect(await runLookup({ config, logger: silentLogger(), out: unknown, phone: '3730001111' })).to.equal(0);
    expect(unknown.text()).to.match(/^result: +not found/m);
    const skipped = capture();
    expect(await runLookup({ config, logger: silentLogger(), out: skipped, phone: 'anonymous' })).to.equal(1);
    expect(skipped.text()).to.contain('skipped');
    fake.failNext(1, 'status500');
    const failed = capture();
    expect(await runLookup({ config, logger: silentLogger(), out: failed, phone: '37999912222' })).to.equal(2);
    expect(failed.text()).to.contain('error');
  });

  for (const answer of ['status-error', 'not-found-404'] as const) {
    it(`a HubSoft answering an empty search with ${answer}: "not found", exit 0`, async () => {
      fake.setEmptySearchAnswer(answer);
      const out = capture();
      expect(await runLookup({ config: testConfig(fake), logger: silentLogger(), out, phone: '3730001111' })).to.equal(0);
      expect(out.text()).to.match(/^result: +not found/m);
    });
  }
});
