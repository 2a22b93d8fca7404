import { validDocument } from './document.js';
import type { SelfServiceCommand } from './types.js';

const EMAIL = /^[^@\s"\\]{1,64}@[^@\s"\\]{1,255}\.[A-Za-z]{2,}$/;

/**
 * gsan-send-code,linkedid,CPF_OR_CNPJ,EMAIL: GSAN's enviarCodigoValidacaoEmailCliente (seed 002).
 * GSAN_VALIDADO S|N; S = ok, N = denied with mensagemCritica in GSAN_MSG (GSAN sends it with HTTP 200 and 500).
 * No gsan section in the config: error/not_configured.
 */
export const gsanCommand: SelfServiceCommand = {
  name: 'gsan-send-code',
  variable: 'GSAN',
  values: ['GSAN_VALIDADO'],
  async run(context) {
    const gsan = context.shared.deps.gsan;
    if (!gsan) return { status: 'error', reason: 'not_configured' };
    const document = validDocument(context.args[0] ?? '');
    if (!document) return { status: 'denied', reason: 'invalid_document' };
    const email = (context.args[1] ?? '').trim();
    if (!EMAIL.test(email)) return { status: 'denied', reason: 'invalid_email' };
    const answer = await gsan.sendValidationCode(document.digits, email);
    if (answer.validado === 'S') return { status: 'ok', values: { GSAN_VALIDADO: 'S' } };
    return { status: 'denied', reason: 'not_validated', msg: answer.mensagemCritica, values: { GSAN_VALIDADO: 'N' } };
  },
};
