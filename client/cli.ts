// `tiger`: the operator's CLI. Commands map to seed 000's quick start; `dev`, `worker`, `server`
// and `emulator` run the parts of the system.
import { Command, CommanderError } from 'commander';
import { CliContext, ExitError, UsageError } from './context';
import { loadDevEnv } from './dev-env';

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipes();
  loadDevEnv();
  const ctx = new CliContext();
  const program = new Command('tiger')
    .description('tiger-sync: durable identity-connector sync on Temporal')
    .showHelpAfterError()
    .exitOverride();
  for (const command of await commandsFor(argv[2], ctx)) program.addCommand(command);
  let code = 0;
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? 0 : 2;
    } else if (err instanceof UsageError || err instanceof ExitError) {
      process.stderr.write(`tiger: ${err.message}\n`);
      code = err.exitCode;
    } else {
      process.stderr.write(`tiger: ${err instanceof Error ? err.message : String(err)}\n`);
      code = 1;
    }
  } finally {
    await ctx.close().catch(() => undefined);
  }
  process.exitCode = code;
}

// Each top-level command's module is loaded only when that command runs: `tiger dev` needs the
// worker's native bridge and the bundler, `tiger connector list` needs neither, and loading them
// all made every command start in seconds. Help (or an unknown word) loads them all.
type CommandModule = (ctx: CliContext) => Promise<Command[]>;
const COMMANDS: Record<string, CommandModule> = {
  connector: async (ctx) => [(await import('./commands/connector')).connectorCommands(ctx)],
  dev: async () => [(await import('./commands/dev')).devCommand()],
  worker: async () => [(await import('./commands/processes')).workerCommand()],
  server: async () => [(await import('./commands/processes')).serverCommand()],
  emulator: async () => [(await import('./commands/emulator')).emulatorCommand()],
  'codec-server': async () => [(await import('./commands/codec-server')).codecServerCommand()],
};

async function commandsFor(word: string | undefined, ctx: CliContext): Promise<Command[]> {
  const only = word === undefined ? undefined : COMMANDS[word];
  if (only) return only(ctx);
  return (await Promise.all(Object.values(COMMANDS).map((load) => load(ctx)))).flat();
}

// `tiger connector export x --json | head`: the reader leaving early is not an error of ours.
// Without a handler Node throws EPIPE from an unrelated write and prints a stack.
function quietOnClosedPipes(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
