/**
 * Child process for the outbox kill -9 test: appends records in concurrent bursts, acks two of every
 * three, and reports on stdout (a pipe, written synchronously on Linux) what it knows to be durable:
 *   A <id>  the append resolved        a <id>  about to ack        K <id>  the ack resolved
 * It never stops on its own before `limit` records: the test kills it with SIGKILL mid-burst.
 * Usage: node --import tsx test/support/outbox-child.ts DIR [limit]
 */
import { silentLogger } from '../../src/log/logger.js';
import { Outbox } from '../../src/outbox/outbox.js';

const [dir, limitArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: outbox-child.ts DIR [limit]\n');
  process.exit(2);
}
const limit = Number(limitArg ?? 100_000);
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const outbox = await Outbox.open({
  dir,
  logger: silentLogger(),
  maxAgeMs: { notify: 3_600_000, cancel: 86_400_000 },
  fsync: true,
  // Small, so compactions run (and can be interrupted) during the burst.
  compactMinBytes: 16 * 1024,
});
out(`READY ${outbox.pending().length}`);

let n = 0;
while (n < limit) {
  const burst = Array.from({ length: 8 }, () => {
    const seq = n++;
    return (async () => {
      const result = await outbox.append({
        kind: seq % 2 === 0 ? 'cancel' : 'notify',
        key: `linked-${seq}/1001`,
        createdAt: Date.now(),
        route: seq % 2 === 0 ? 'cancelar' : 'notificar',
        body: { ramal: '1001', telefone: `3799999${String(seq).padStart(4, '0')}`, seq },
      });
      if (!result.ok) throw new Error(`append refused: ${result.reason}`);
      const { id } = result.record;
      out(`A ${id}`);
      if (seq % 3 !== 0) {
        out(`a ${id}`);
        await outbox.ack(id);
        out(`K ${id}`);
      }
    })();
  });
  await Promise.all(burst);
}
await outbox.close();
out('DONE');
