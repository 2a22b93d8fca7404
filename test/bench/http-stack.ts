/**
 * HTTP stack for HubSoft requests (issue 15.4): CPU per request and latency of each client stack against
 * the same small HTTP server, which runs in a child process so its CPU is not counted. Run alone:
 *   npx tsx test/bench/http-stack.ts            (all variants, each in its own process, one table)
 *   npx tsx test/bench/http-stack.ts undici     (one variant, prints one JSON line)
 * Variants: undici (what the bridge uses: createHubsoftHttp, a Pool per origin), got-keepalive (got@14 as
 * the bridge had it, with a keep-alive agent), got-default (got as the bridge had it for lookups: no agent).
 * Each does a warm-up, then BENCH_HTTP_SEQ requests one at a time (latency p50/p99, CPU per request) and
 * BENCH_HTTP_PAR requests 16 at a time (CPU per request), half GET client searches (~1 KB answers), half
 * POST notificar. Scale: BENCH_HTTP_SEQ (default 2000), BENCH_HTTP_PAR (default 8000).
 */
import { execFileSync, spawn } from 'node:child_process';
import { Agent as HttpAgent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import { createHubsoftHttp, type HttpRequest, type HubsoftHttp } from '../../src/hubsoft/http.js';
import { FAKE_CREDENTIALS } from '../support/fake-hubsoft.js';

const VARIANTS = ['undici', 'got-keepalive', 'got-default'] as const;
type Variant = (typeof VARIANTS)[number];
const SEQ = Number(process.env.BENCH_HTTP_SEQ ?? 2000);
const PAR = Number(process.env.BENCH_HTTP_PAR ?? 8000);
const CONCURRENCY = 16;

const SERVER = `
const http = require('node:http');
const client = { id_cliente: 1, codigo_cliente: 101, nome_razaosocial: 'Cliente Bench', cpf_cnpj: '12345678909', telefone_primario: '37999912222',
  alerta: true, alerta_mensagens: ['Cliente com fatura em aberto'], servicos: [{ id_cliente_servico: 1, status_prefixo: 'servico_habilitado', nome: 'Fibra 300M' }] };
const search = JSON.stringify({ status: 'success', msg: 'Dados consultados com sucesso', clientes: [client, { ...client, id_cliente: 2 }, { ...client, id_cliente: 3 }] });
const notify = JSON.stringify({ status: 'success', msg: 'Chamada notificada com sucesso' });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = req.method === 'GET' ? search : notify;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

const search: HttpRequest = { method: 'GET', path: 'api/v1/integracao/cliente', searchParams: { busca: 'telefone', termo_busca: '37999912222', limit: 5 }, headers: { authorization: 'Bearer bench' } };
const notify: HttpRequest = { method: 'POST', path: 'api/v1/integracao/pbx/ligacao/notificar', json: { ramal: '111', telefone: '37999912222' }, headers: { authorization: 'Bearer bench' } };

/** got@14 exactly as src/hubsoft/http.ts built it before undici (retries for GETs), optionally with a keep-alive agent. */
async function gotHttp(url: string, keepAlive: boolean): Promise<HubsoftHttp> {
  const { default: got } = await import('got');
  const agent = keepAlive ? new HttpAgent({ keepAlive: true, timeout: 5000 }) : undefined;
  const client = got.extend({
    prefixUrl: url,
    headers: { accept: 'application/json', 'user-agent': 'hubsoft-pbx-bridge' },
    timeout: { connect: 5000, request: 5000 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    retry: { limit: 2, methods: ['GET'], statusCodes: [502, 503, 504] },
    ...(agent ? { agent: { http: agent } } : {}),
  });
  return {
    async send(request) {
      const response = await client(request.path, {
        method: request.method,
        searchParams: request.searchParams as Record<string, string | number> | undefined,
        json: request.json,
        headers: request.headers,
      });
      const text = typeof response.body === 'string' ? response.body : '';
      return { statusCode: response.statusCode, json: JSON.parse(text) as unknown, snippet: text.slice(0, 80) };
    },
    close: () => agent?.destroy(),
  };
}

function stats(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: r(at(0.5)), p99: r(at(0.99)), max: r(sorted.at(-1) ?? NaN) };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function runVariant(variant: Variant, url: string): Promise<Record<string, unknown>> {
  const config = parseConfig({ hubsoft: { url, ...FAKE_CREDENTIALS, retries: 2 }, ami: { username: 'bench', secret: 'bench' } });
  const http = variant === 'undici' ? createHubsoftHttp(config.hubsoft) : await gotHttp(url, variant === 'got-keepalive');
  const one = (i: number) => http.send(i % 2 === 0 ? search : notify);
  for (let i = 0; i < 500; i++) await one(i);

  const latencies: number[] = [];
  let cpu0 = cpuMs();
  let t0 = performance.now();
  for (let i = 0; i < SEQ; i++) {
    const started = performance.now();
    await one(i);
    latencies.push(performance.now() - started);
  }
  const seqCpu = (cpuMs() - cpu0) / SEQ;
  const seqWall = (performance.now() - t0) / SEQ;

  cpu0 = cpuMs();
  t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PAR) await one(next++);
    }),
  );
  const parCpu = (cpuMs() - cpu0) / PAR;
  const parSeconds = (performance.now() - t0) / 1000;
  http.close?.();
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    variant,
    sequential: { n: SEQ, ...stats(latencies), cpu_ms_per_request: r3(seqCpu), wall_ms_per_request: r3(seqWall) },
    concurrent: { n: PAR, concurrency: CONCURRENCY, cpu_ms_per_request: r3(parCpu), requests_per_s: Math.round(PAR / parSeconds) },
  };
}

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function main(): Promise<void> {
  const only = process.argv[2] as Variant | undefined;
  if (only) {
    const url = process.argv[3] ?? (await startServer()).url;
    process.stdout.write(`${JSON.stringify(await runVariant(only, url))}\n`);
    process.exit(0);
  }
  const server = await startServer();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`http-stack bench: ${cpus().length} CPU, load ${loadavg().map((v) => v.toFixed(1)).join(' ')}, node ${process.version}; ${SEQ} sequential + ${PAR} at ${CONCURRENCY} at once per variant`);
  const results = [];
  for (const variant of VARIANTS) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), variant, server.url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { variant: string; sequential: Record<string, number>; concurrent: Record<string, number> };
    results.push(result);
    const s = result.sequential;
    const c = result.concurrent;
    log(
      `${result.variant.padEnd(14)} one at a time: p50 ${s.p50} / p99 ${s.p99} ms, CPU ${s.cpu_ms_per_request} ms/request;` +
        ` 16 at once: CPU ${c.cpu_ms_per_request} ms/request, ${c.requests_per_s} requests/s`,
    );
  }
  server.stop();
  log(JSON.stringify(results));
}

void main();
