/**
 * The one catalogue of error codes. Every message tells an installer what to do.
 * test/errors.test.ts keeps it in step with the README's "Error codes" table.
 */
export const errorCatalogue = {
  CONFIG_INVALID: 'The configuration is invalid: fix the keys listed and start again.',
  CONFIG_NOT_FOUND: 'No configuration file: pass --config FILE, set HUBSOFT_BRIDGE_CONFIG, or set the HUBSOFT_* and AMI_* environment variables.',
  HUBSOFT_AUTH_REJECTED: 'HubSoft refused the API credentials: check client_id, client_secret, username and password.',
  HUBSOFT_HTTP: 'HubSoft answered with an HTTP error.',
  HUBSOFT_STATUS_ERROR: 'HubSoft answered status "error"; its msg says why.',
  HUBSOFT_BAD_RESPONSE: 'HubSoft answered something that is not the JSON its API documents (an HTML page from a proxy?).',
  HUBSOFT_TIMEOUT: 'HubSoft did not answer in time: check the URL, the network and hubsoft.requestTimeoutMs.',
  HUBSOFT_UNREACHABLE: 'HubSoft could not be reached: check hubsoft.url, DNS and the firewall.',
  HUBSOFT_REQUEST_INVALID: 'The bridge refused to send a PBX request HubSoft would reject (bad ramal, telefone or ids): check the extensions section of the config.',
  AMI_LOGIN_REFUSED: 'Asterisk refused the AMI login: check ami.username and ami.secret against manager.conf (or manager_custom.conf).',
  AMI_UNREACHABLE: 'Asterisk AMI could not be reached: check ami.host and ami.port and that the manager is enabled.',
  AMI_ACTION_TIMEOUT: 'Asterisk did not answer an AMI action in time.',
  AMI_DISCONNECTED: 'The AMI connection closed before the action was answered.',
  LOOKUP_TIMEOUT: 'The caller lookup took longer than lookup.budgetMs; the call went on without client data.',
  AGI_PROTOCOL: 'The FastAGI peer sent something that is not AGI.',
  AGI_TIMEOUT: 'Asterisk did not answer a FastAGI command in time; the session was closed and the call went on.',
  AGI_HANGUP: 'The caller hung up (or Asterisk closed the FastAGI socket) before the session ended.',
  OUTBOX_UNAVAILABLE: 'The outbox journal (state.dir/outbox) could not be read or written: check that state.dir is on a local disk with free space and that the bridge user owns it.',
  SELF_SERVICE_TIMEOUT: 'A self-service IVR command took longer than selfService.deadlineMs: the dialplan got STATUS=error and the call went on; check HubSoft latency or raise the deadline.',
  GSAN_TIMEOUT: 'GSAN did not answer in time: check gsan.url, the network and gsan.requestTimeoutMs.',
  GSAN_UNREACHABLE: 'GSAN could not be reached: check gsan.url (http://host:8080), DNS and the firewall.',
  GSAN_BAD_RESPONSE: 'GSAN answered without body.validado (wrong gsan.path, or a proxy page?): check gsan.url and gsan.path.',
  PORT_IN_USE: 'A port the bridge listens on is taken: the message names the config key; pick a free port there, or turn that listener off.',
  INSTALL_FAILED: 'The install could not finish; nothing half-written was left behind.',
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message ?? errorCatalogue[code], options);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }
}

export function isBridgeError(value: unknown, code?: ErrorCode): value is BridgeError {
  return value instanceof BridgeError && (code === undefined || value.code === code);
}
