import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { espeakSoxEngine, type TtsEngine } from '../tts-engine.js';

/**
 * The sample URA's prompts (config/asterisk/ura-hubsoft.conf plays them as hubsoft/<name>), in Brazilian
 * Portuguese. Record them with a real voice when you can; until then writePrompts() makes them with the same
 * espeak-ng + sox path the alerts use.
 */
export const URA_PROMPTS = {
  'ura-bem-vindo': 'Olá! Você está falando com o autoatendimento.',
  'ura-digite-documento': 'Digite o seu CPF ou CNPJ, somente números, e tecle cerquilha.',
  'ura-documento-invalido': 'O número digitado não é um CPF ou CNPJ válido.',
  'ura-nao-encontrado': 'Não encontramos o seu cadastro. Vamos transferir para um atendente.',
  'ura-protocolo': 'Anote o número do seu protocolo de atendimento:',
  'ura-menu': 'Para segunda via de fatura, tecle 1. Para desbloqueio em confiança, tecle 2. Para saber se a sua conexão está ativa, tecle 3. Para falar com um atendente, tecle 0.',
  'ura-confirme': 'Para sua segurança, digite os três primeiros números do CPF ou CNPJ do titular. Para pular, tecle cerquilha.',
  'ura-confirmacao-errada': 'Os números não conferem.',
  'ura-faturas-abertas': 'Quantidade de faturas em aberto:',
  'ura-sem-faturas': 'Você não tem faturas em aberto. Obrigado!',
  'ura-vencimento': 'A fatura mais antiga vence em',
  'ura-valor': 'no valor de',
  'ura-reais': 'reais',
  'ura-centavos': 'centavos',
  'ura-escolha-canal': 'Para receber por SMS, tecle 1. Por e-mail, tecle 2. No aplicativo, tecle 3.',
  'ura-enviada': 'Pronto! A segunda via foi enviada.',
  'ura-enviada-pode-demorar': 'A segunda via está sendo enviada e pode levar alguns minutos para chegar.',
  'ura-ja-enviada': 'Esta fatura já foi enviada nesta ligação.',
  'ura-limite-diario': 'O limite de envios de hoje foi atingido. Tente novamente amanhã.',
  'ura-desbloqueado-ate': 'Pronto! O seu acesso foi desbloqueado em confiança até',
  'ura-desbloqueio-negado': 'Não foi possível fazer o desbloqueio em confiança.',
  'ura-sem-bloqueio': 'O seu acesso não está bloqueado.',
  'ura-conectado-desde': 'A sua conexão está ativa desde',
  'ura-desconectado-desde': 'A sua conexão está desconectada desde',
  'ura-sem-conexao': 'Não há informação sobre a sua conexão.',
  'ura-erro': 'Não foi possível concluir agora. Vamos transferir para um atendente.',
  'ura-opcao-invalida': 'Opção inválida.',
  'ura-transferindo': 'Aguarde, vamos transferir para um atendente.',
  'ura-menu-autorreparo': 'Para reiniciar o cadastro do seu roteador, tecle 4. Para reconectar a sua internet, tecle 5.',
  'ura-mac-resetado': 'Pronto! O cadastro do seu roteador foi reiniciado. Desligue o roteador da tomada, aguarde dez segundos e ligue de novo.',
  'ura-reconectado': 'Pronto! A sua conexão foi reiniciada. Aguarde um minuto enquanto o roteador se conecta de novo.',
  'ura-autorreparo-negado': 'Não foi possível concluir esta operação.',
  'ura-somente-telefone-cadastrado': 'Por segurança, esta opção só está disponível em ligações do telefone cadastrado no seu contrato.',
} as const;

export type UraPrompt = keyof typeof URA_PROMPTS;

export interface WritePromptsOptions {
  /** e.g. /var/lib/asterisk/sounds/pt_BR/hubsoft (the dialplan plays hubsoft/<name> with CHANNEL(language)=pt_BR). */
  readonly dir: string;
  readonly voice?: string;
  readonly engine?: TtsEngine;
  /** Keep prompts already there (recorded ones). Default true. */
  readonly keepExisting?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Writes <dir>/<name>.wav (8 kHz mono) for every prompt that is not there yet. Returns the names written.
 *   npx tsx -e "import('./src/ivr/self-service/prompts.ts').then((m) => m.writePrompts({ dir: '/var/lib/asterisk/sounds/pt_BR/hubsoft' }))"
 */
export async function writePrompts(options: WritePromptsOptions): Promise<UraPrompt[]> {
  const engine = options.engine ?? espeakSoxEngine();
  await mkdir(options.dir, { recursive: true });
  const written: UraPrompt[] = [];
  for (const [name, text] of Object.entries(URA_PROMPTS) as [UraPrompt, string][]) {
    const file = join(options.dir, `${name}.wav`);
    if ((options.keepExisting ?? true) && (await stat(file).then((s) => s.size > 44, () => false))) continue;
    const tmp = `${file}.tmp.wav`;
    const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    try {
      await engine.synthesize({ text, voice: options.voice ?? 'pt-br', outFile: tmp, signal });
      await rename(tmp, file);
      written.push(name);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return written;
}
