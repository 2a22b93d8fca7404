import { AmiScript as CoreScript } from './core.js';
import { CallFlow, type InboundSpec } from './call.js';
import { QueueRun, type QueueSpec } from './queue.js';

/** The script builder: the low-level emitter plus the call-level entry points. */
export class AmiScript extends CoreScript {
  /** An external call entering through the trunk (`from-trunk` -> `ext-did`). */
  inboundCall(spec: InboundSpec): CallFlow {
    return CallFlow.inbound(this, spec);
  }

  /** A call placed from an extension's phone (internal, outbound, `*8`, consult call). */
  extensionCall(ext: string, dialed: string, at = 0): CallFlow {
    return CallFlow.fromExtension(this, ext, dialed, at);
  }

  /** Sends the call into an app_queue queue (Answer, QueueCallerJoin, music on hold). */
  queue(call: CallFlow, spec: QueueSpec): QueueRun {
    return new QueueRun(call, spec);
  }
}
