// `tiger`: the operator's CLI. Commands map to seed 000's quick start; `dev`, `worker`, `server`
// and `emulator` run the parts of the system.
import { Command, CommanderError } from 'commander';
import { connectorCommands } from './commands/connector';
import { devCommand } from './commands/dev';
import { emulatorCommand } from './commands/emulator';
import { serverCommand, workerCommand } from './commands/processes';
import { CliContext, ExitError, UsageError } from './context';
import { loadDevEnv } from './dev-env';

export async function main(argv: string[]): Promise<void> {
  loadDevEnv();
  const ctx = new CliContext();
  const program = new Command('tiger')
    .description('tiger-sync: durable identity-connector sync on Temporal')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(connectorCommands(ctx));
  program.addCommand(devCommand());
  program.addCommand(workerCommand());
  program.addCommand(serverCommand());
  program.addCommand(emulatorCommand());
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
