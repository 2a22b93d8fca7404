import { expect } from 'chai';
import { isBridgeError } from '../../src/errors.js';
import { buildPbxBody, CANCEL_PATH, NOTIFY_PATH, PbxApi, validatePbxBody } from '../../src/hubsoft/pbx.js';
import type { LookupResult, PbxCallBody } from '../../src/hubsoft/types.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { JOAO } from '../support/sample-clients.js';
import { testClient, testConfig } from './helpers.js';

const found: LookupResult = {
  status: 'found',
  raw: '037999912222',
  phone: '37999912222',
  candidates: ['37999912222'],
  clients: [],
  client: {
    id_cliente: JOAO.id_cliente,
    codigo_cliente: JOAO.codigo_cliente,
    nome_razaosocial: JOAO.nome_razaosocial,
    cpf_cnpj: JOAO.cpf_cnpj,
    alerta: false,
    alerta_mensagens: [],
    hasEnabledService: true,
  },
};

describe('hubsoft/pbx: notificar and cancelar', () => {
  let fake: FakeHubsoft;
  let pbx: PbxApi;
  beforeEach(async () => {
    fake = await startFakeHubsoft();
    pbx = new PbxApi(testClient(testConfig(fake)));
  });
  afterEach(() => fake.close());

  const sent = (path: string): unknown[] => fake.requests.filter((r) => r.path === `/${path}`).map((r) => JSON.parse(r.rawBody) as unknown);

  it('notify posts exactly ramal and telefone as JSON, and cancel repeats them', async () => {
    const body = buildPbxBody({ ramal: '111' }, { status: 'notfound', phone: '37999912222', client: null });
    expect(await pbx.notify(body)).to.equal('Ligação notificada com sucesso');
    expect(fake.windows.size).to.equal(1);
    expect(await pbx.cancel(body)).to.equal('Ligação cancelada com sucesso');
    expect(fake.windows.size).to.equal(0);
    expect(sent(NOTIFY_PATH)).to.deep.equal([{ ramal: '111', telefone: '37999912222' }]);
    expect(sent(CANCEL_PATH)).to.deep.equal([{ ramal: '111', telefone: '37999912222' }]);
    const request = fake.requests.find((r) => r.path === `/${NOTIFY_PATH}`)!;
    expect(request.method).to.equal('POST');
    expect(request.contentType).to.match(/^application\/json/);
    expect(request.authOk).to.equal(true);
  });

  it('a found client adds id_cliente and codigo_cliente; ligacao_params carries call context', async () => {
    const body = buildPbxBody({ ramal: '1001' }, found, { fila: 'suporte', did: '3732218000', linkedid: '1712345678.42' });
    await pbx.notify(body);
    expect(sent(NOTIFY_PATH)).to.deep.equal([
      {
        ramal: '1001',
        telefone: '37999912222',
        id_cliente: JOAO.id_cliente,
        codigo_cliente: JOAO.codigo_cliente,
        ligacao_params: { fila: 'suporte', did: '3732218000', linkedid: '1712345678.42' },
      },
    ]);
  });

  it('ambiguous or failed lookups send no ids; a skipped lookup sends no telefone', () => {
    expect(buildPbxBody({ ramal: '1001' }, { status: 'ambiguous', phone: '3133335555', client: null })).to.deep.equal({
      ramal: '1001',
      telefone: '3133335555',
    });
    expect(buildPbxBody({ identificador_interno: 'ATD07' }, { status: 'skipped', phone: null, client: null })).to.deep.equal({
      identificador_interno: 'ATD07',
    });
    expect(buildPbxBody({ ramal: '1001' }, null)).to.deep.equal({ ramal: '1001' });
  });

  it('0800 callers keep their leading zero', async () => {
    await pbx.notify({ ramal: '200', telefone: '08007771234' });
    expect(fake.requests.at(-1)!.rawBody).to.equal('{"ramal":"200","telefone":"08007771234"}');
  });

  it('identificador_interno works in place of ramal', async () => {
    await pbx.notify({ identificador_interno: 'ATD07', telefone: '37999912222' });
    expect(sent(NOTIFY_PATH)).to.deep.equal([{ identificador_interno: 'ATD07', telefone: '37999912222' }]);
  });

  it('refuses invalid bodies before sending anything', async () => {
    const bad: PbxCallBody[] = [
      {},
      { ramal: '111', identificador_interno: 'X1' },
      { ramal: '11a' },
      { identificador_interno: 'ATD-07' },
      { ramal: '111', telefone: '+5537999912222' },
      { ramal: '111', id_cliente: 0 },
      { ramal: '111', codigo_cliente: 5 },
      { ramal: '111', ligacao_params: { x: 'y'.repeat(500) } },
    ];
    for (const body of bad) {
      let error: unknown;
      try {
        await pbx.notify(body);
      } catch (e) {
        error = e;
      }
      expect(isBridgeError(error, 'HUBSOFT_REQUEST_INVALID'), JSON.stringify(body)).to.equal(true);
    }
    expect(fake.requests.filter((r) => r.path !== '/oauth/token')).to.have.length(0);
    expect(() => validatePbxBody({ ramal: '111', telefone: '37999912222' })).not.to.throw();
  });

  it('an id_cliente unknown to HubSoft comes back as HubSoft validation error with its msg', async () => {
    let error: unknown;
    try {
      await pbx.notify({ ramal: '111', telefone: '37999912222', id_cliente: 999999 });
    } catch (e) {
      error = e;
    }
    expect(isBridgeError(error, 'HUBSOFT_HTTP')).to.equal(true);
    expect((error as { details: { status: number; msg: string } }).details).to.deep.include({ status: 422 });
    expect((error as Error).message).to.contain('id cliente');
  });

  it('an aborted signal (shutdown) stops the POST at once instead of waiting for a slow HubSoft', async () => {
    await pbx.notify(buildPbxBody({ ramal: '111' }, null)); // warm: token and connection
    fake.setDelay(5000);
    const controller = new AbortController();
    const pending = pbx.cancel(buildPbxBody({ ramal: '111' }, null), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await pending.then(() => null, (e: unknown) => e);
    // Without the abort the fake would answer success after 5 s and there would be no error.
    expect(error, 'the request was aborted').to.be.instanceOf(Error);
    fake.setDelay(0);
  });
});
