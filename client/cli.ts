// `tiger`: the operator's CLI. Commands map to seed 000's quick start; `dev`, `worker`, `server`
// and `emulator` run the parts of the system.
import { Command, CommanderError } from 'commander';
import { CliContext, ExitError, UsageError } from './context';
import { loadDevEnv } from './dev-env';
import { lazy } from './lazy';

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipes();
  loadDevEnv();
  const ctx = new CliContext();
  const program = new Command('tiger')
    .description('tiger-sync: durable identity-connector sync on Temporal')
    .showHelpAfterError()
    .exitOverride();
  for (const command of commandsFor(argv[2], ctx)) program.addCommand(command);
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
const COMMANDS: Record<string, (ctx: CliContext) => Command> = {
  connector: (ctx) => lazy.connectorCommands().connectorCommands(ctx),
  dev: () => lazy.devCommand().devCommand(),
  worker: () => lazy.processCommands().workerCommand(),
  server: () => lazy.processCommands().serverCommand(),
  emulator: () => lazy.emulatorCommand().emulatorCommand(),
  'codec-server': () => lazy.codecServerCommand().codecServerCommand(),
  mesh: (ctx) => lazy.meshCommands().meshCommands(ctx),
};

function commandsFor(word: string | undefined, ctx: CliContext): Command[] {
  const only = word === undefined ? undefined : COMMANDS[word];
  return only ? [only(ctx)] : Object.values(COMMANDS).map((make) => make(ctx));
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
