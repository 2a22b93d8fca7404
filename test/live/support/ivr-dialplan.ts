import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The dialplan of the live IVR suite: the project's own snippets (config/asterisk/), byte for byte except for
 * the FastAGI address (they hard-code 127.0.0.1:4573; a test listens on a free port), plus test DIDs in
 * [from-pstn-custom] (the FreePBX hook entered from [from-trunk] -> [from-pstn]) and a context that reports
 * what the channel held with a UserEvent.
 */
const SNIPPETS = fileURLToPath(new URL('../../../config/asterisk/', import.meta.url));
const DEFAULT_AGI = '127.0.0.1:4573';

export const DID = {
  /** Gosub(hubsoft-alerts,s,1): waits for the AMI push, then reports. */
  alertsAmi: '3732229001',
  /** Gosub(hubsoft-alerts-agi,s,1) on the bridge's FastAGI port, then reports. */
  alertsAgi: '3732229002',
  /** The same snippet pointed at a port nobody listens on (the bridge down). */
  alertsAgiClosed: '3732229003',
  /** Goto(hubsoft-ura,s,1): the self-service URA. */
  ura: '3732229010',
} as const;

/** A snippet from config/asterisk/ with its FastAGI address moved to 127.0.0.1:port. */
export function snippet(name: string, agiPort: number): string {
  const text = readFileSync(`${SNIPPETS}${name}`, 'utf8');
  if (!text.includes(DEFAULT_AGI)) throw new Error(`${name} no longer names ${DEFAULT_AGI}`);
  return text.split(DEFAULT_AGI).join(`127.0.0.1:${agiPort}`);
}

/**
 * ura-hubsoft.conf for this Asterisk. It reads dates with SayUnixTime (app_sayunixtime, always there on FreePBX);
 * the live suite's trimmed build (shared/asterisk/build.sh) leaves that module out, and a missing application
 * ends the call. Only then each SayUnixTime(...) becomes NoOp(SayUnixTime ...): everything else stays verbatim.
 */
export function uraSnippet(agiPort: number, asteriskPrefix: string): { text: string; sayUnixTimeStandIn: boolean } {
  const text = snippet('ura-hubsoft.conf', agiPort);
  if (existsSync(`${asteriskPrefix}/lib/asterisk/modules/app_sayunixtime.so`)) return { text, sayUnixTimeStandIn: false };
  return { text: text.split('SayUnixTime(').join('NoOp(SayUnixTime '), sayUnixTimeStandIn: true };
}

/** Every hubsoft/ura-* prompt ura-hubsoft.conf plays (Playback, Background, Read). */
export function uraPrompts(): string[] {
  const text = readFileSync(`${SNIPPETS}ura-hubsoft.conf`, 'utf8');
  return [...new Set(text.match(/hubsoft\/ura-[a-z0-9-]+/g) ?? [])].sort();
}

/**
 * What SayNumber, SayDigits and SayUnixTime read in the URA (CHANNEL(language)=pt_BR falls back to en, where the
 * silent prompts are): numbers, months, weekdays and the connecting words of Asterisk's pt say routines.
 */
export function sayPrompts(): string[] {
  const names = new Set<string>();
  for (let n = 0; n <= 100; n++) names.add(`digits/${n}`);
  for (const n of [200, 300, 400, 500, 600, 700, 800, 900, 1000, 2000]) names.add(`digits/${n}`);
  for (let m = 0; m < 12; m++) names.add(`digits/mon-${m}`);
  for (let d = 0; d < 7; d++) names.add(`digits/day-${d}`);
  for (let h = 1; h <= 31; h++) names.add(`digits/h-${h}`);
  for (const word of ['and', 'pt-e', 'pt-de', 'pt-a', 'pt-as', 'pt-mil', 'pt-cento', 'pt-sss', 'hundred', 'thousand', 'million', 'oclock', 'a-m', 'p-m', 'minus', 'pt-menos', 'pt-hora', 'pt-horas', 'pt-minuto', 'pt-minutos', 'today', 'yesterday', 'hours', 'minutes', 'pt-meianoite', 'pt-meiodia', 'pt-ao', 'pt-e-meia']) {
    names.add(`digits/${word}`);
  }
  return [...names];
}

/** [from-pstn-custom] DIDs, the reporting contexts and the snippets (the URA as its own file, as documented). */
export function extensionsCustom(options: { agiPort: number; closedPort: number }): string {
  const alerts = snippet('hubsoft-alerts-freepbx.conf', options.agiPort);
  const closed = snippet('hubsoft-alerts-freepbx.conf', options.closedPort)
    .split('\n')
    .filter((line) => !line.startsWith(';'))
    .join('\n')
    .replace(/^\[hubsoft-alerts\][\s\S]*?(?=^\[hubsoft-alerts-agi\])/m, '')
    .replace('[hubsoft-alerts-agi]', '[hubsoft-alerts-agi-closed]');
  return `; live IVR suite: test DIDs, then the project's snippets (FastAGI port substituted).
#include ura-hubsoft.conf

[from-pstn-custom]
exten => ${DID.alertsAmi},1,NoOp(live: alerts over AMI)
 same => n,Gosub(hubsoft-alerts,s,1)
 same => n,Goto(live-ivr-seen,s,1)
exten => ${DID.alertsAgi},1,NoOp(live: alerts over FastAGI)
 same => n,Set(LIVE_T0=\${STRFTIME(,,%s%3q)})
 same => n,Gosub(hubsoft-alerts-agi,s,1)
 same => n,Set(LIVE_T1=\${STRFTIME(,,%s%3q)})
 same => n,Goto(live-ivr-seen,s,1)
exten => ${DID.alertsAgiClosed},1,NoOp(live: FastAGI with nobody listening)
 same => n,Set(LIVE_T0=\${STRFTIME(,,%s%3q)})
 same => n,Gosub(hubsoft-alerts-agi-closed,s,1)
 same => n,Set(LIVE_T1=\${STRFTIME(,,%s%3q)})
 same => n,Goto(live-ivr-seen,s,1)
exten => ${DID.ura},1,Goto(hubsoft-ura,s,1)

; What the channel held when the dialplan read it. Alert texts and the name are HubSoft's free text: their
; commas go as %2C (a comma would split UserEvent's arguments). This build has no func_base64.
[live-ivr-seen]
exten => s,1,UserEvent(HubsoftSeen,Lookup: \${HUBSOFT_LOOKUP},Total: \${HUBSOFT_ALERTA_TOTAL},Alerta: \${HUBSOFT_ALERTA},IdCliente: \${HUBSOFT_ID_CLIENTE},CodigoCliente: \${HUBSOFT_CODIGO_CLIENTE},Som1: \${HUBSOFT_ALERTA_SOM_1},A1: \${STRREPLACE(HUBSOFT_ALERTA_1,\\,,%2C)},A2: \${STRREPLACE(HUBSOFT_ALERTA_2,\\,,%2C)},A3: \${STRREPLACE(HUBSOFT_ALERTA_3,\\,,%2C)},A4: \${STRREPLACE(HUBSOFT_ALERTA_4,\\,,%2C)},Nome: \${STRREPLACE(HUBSOFT_NOME,\\,,%2C)},AgiStatus: \${AGISTATUS},T0: \${LIVE_T0},T1: \${LIVE_T1},CallerNum: \${CALLERID(num)})
 same => n,Answer()
 same => n,Wait(6)
 same => n,UserEvent(HubsoftDone,Lookup: \${HUBSOFT_LOOKUP})
 same => n,Hangup()

${alerts}
${closed}
`;
}
