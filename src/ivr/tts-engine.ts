import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';

/** Runs one program with an argument array (never a shell); rejects on a non-zero exit, a kill or the signal. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options: { readonly signal: AbortSignal },
) => Promise<void>;

/** Turns `text` into an Asterisk-playable WAV (8 kHz, mono, 16-bit) at `outFile`. */
export interface TtsEngine {
  synthesize(request: { text: string; voice: string; outFile: string; signal: AbortSignal }): Promise<void>;
}

export const execFileRunner: CommandRunner = (command, args, { signal }) =>
  new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { signal, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        if (error) {
          const detail = stderr ? `: ${String(stderr).trim().slice(0, 300)}` : '';
          reject(new Error(`${command} failed (${error.message.split('\n')[0]})${detail}`, { cause: error }));
        } else {
          resolve();
        }
      },
    );
  });

export interface EspeakSoxOptions {
  readonly runner?: CommandRunner;
  readonly espeak?: string;
  readonly sox?: string;
}

/**
 * espeak-ng (Debian package espeak-ng) speaks the text into a WAV at its own rate; sox (package sox) converts it
 * to what Asterisk plays without transcoding: 8 kHz, mono, 16-bit signed PCM. The text goes through a file, so
 * a text starting with "-" is never read as an option.
 */
export function espeakSoxEngine(options: EspeakSoxOptions = {}): TtsEngine {
  const run = options.runner ?? execFileRunner;
  const espeak = options.espeak ?? 'espeak-ng';
  const sox = options.sox ?? 'sox';
  return {
    async synthesize({ text, voice, outFile, signal }) {
      const textFile = `${outFile}.txt`;
      const rawFile = `${outFile}.raw.wav`;
      try {
        await writeFile(textFile, text, 'utf8');
        await run(espeak, ['-v', voice, '-w', rawFile, '-f', textFile], { signal });
        await run(sox, [rawFile, '-t', 'wav', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', outFile], { signal });
      } finally {
        await Promise.all([rm(textFile, { force: true }), rm(rawFile, { force: true })]);
      }
    },
  };
}
