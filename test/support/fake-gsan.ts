/**
 * A fake GSAN web service (seed 002) on 127.0.0.1: POST /gsan/chatbot/enviarCodigoValidacaoEmailCliente with JSON
 * {key, cpfCnpj, email}. Answers as the seed shows: 200 {key, body:{validado:"S", mensagemCritica:""}}; 200 with
 * "N" when the customer already has a different e-mail; 500 with "N" when the e-mail cannot be sent; 404
 * "Page not found" elsewhere. A wrong key: the seed is silent; the fake answers 200 "N" "Chave inválida".
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from './loopback-server.js';

export const GSAN_PATH = '/gsan/chatbot/enviarCodigoValidacaoEmailCliente';
export const FAKE_GSAN_KEY = 'jjFsdi45iHDYHdt78dJT-EH';

export interface FakeGsanCustomer {
  readonly cpfCnpj: string;
  /** The e-mail GSAN has on record; null: none yet (any e-mail is accepted). */
  readonly email: string | null;
}

export interface FakeGsan {
  readonly url: string;
  readonly requests: { path: string; body: unknown }[];
  /** Codes "sent" (cpfCnpj, email). */
  readonly sent: { cpfCnpj: string; email: string }[];
  setDelay(ms: number): void;
  /** The next sends fail the way the seed's 500 shows. */
  failSending(fail: boolean): void;
  close(): Promise<void>;
}

export async function startFakeGsan(customers: readonly FakeGsanCustomer[] = [{ cpfCnpj: '12345678909', email: 'carlos@example.com.br' }], key = FAKE_GSAN_KEY): Promise<FakeGsan> {
  const requests: FakeGsan['requests'] = [];
  const sent: FakeGsan['sent'] = [];
  let delayMs = 0;
  let sendFails = false;
  const mask = (email: string): string => email.replace(/^(.{0,3}).*?(.{0,3})@/, '$1*****$2@');

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      requests.push({ path, body });
      const answer = (status: number, validado: 'S' | 'N', mensagemCritica: string): void => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ key: (body as { key?: unknown })?.key ?? null, body: { validado, mensagemCritica } }));
      };
      const respond = (): void => {
        if (req.method !== 'POST' || path !== GSAN_PATH) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('Page not found');
          return;
        }
        const b = (body ?? {}) as { key?: unknown; cpfCnpj?: unknown; email?: unknown };
        if (b.key !== key) return answer(200, 'N', 'Chave inválida.');
        const cpfCnpj = String(b.cpfCnpj ?? '');
        const email = String(b.email ?? '');
        const customer = customers.find((c) => c.cpfCnpj === cpfCnpj);
        if (!customer) return answer(200, 'N', 'Cliente não encontrado para o CPF/CNPJ informado.');
        if (customer.email && customer.email.toLowerCase() !== email.toLowerCase()) {
          return answer(
            200,
            'N',
            `O cliente já possui um email cadastrado semelhante a ${mask(customer.email)}. Caso deseje atualizar seu email, utilize nosso assistente virtual (ED - Assistente virtual da CAER), opção (Atualizar Somente o Email) disponível no site (www.caer.com.br).`,
          );
        }
        if (sendFails) return answer(500, 'N', `Erro no envio do email! Verifique se o email informado (${mask(email)}) está correto. Caso sim, tente novamente mais tarde.`);
        sent.push({ cpfCnpj, email });
        answer(200, 'S', '');
      };
      if (delayMs > 0) setTimeout(respond, delayMs);
      else respond();
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sent,
    setDelay: (ms) => {
      delayMs = ms;
    },
    failSending: (fail) => {
      sendFails = fail;
    },
    close,
  };
}
