/**
 * An AMI event or response as the rest of the bridge sees it: keys lower-cased,
 * values strings, `<unknown>` turned into ''. Repeated keys (ChanVariable...) keep
 * their first value.
 */
export interface AmiMessage {
  readonly [key: string]: string | undefined;
}

export interface AmiEvent extends AmiMessage {
  readonly event: string;
}

export interface AmiResponse extends AmiMessage {
  readonly response: string;
}

/** Fields of an action to send, e.g. { Action: 'Setvar', Channel, Variable, Value }. */
export type AmiAction = Readonly<Record<string, string>> & { readonly Action: string };

/** What the rest of the bridge may ask of the AMI connection. */
export interface AmiActions {
  /** Sends an action and resolves with its response; rejects on timeout or when the link drops. */
  send(action: AmiAction, options?: { timeoutMs?: number }): Promise<AmiResponse>;
}

export type AmiLinkState = 'connecting' | 'connected' | 'logged-in' | 'disconnected' | 'stopped';
