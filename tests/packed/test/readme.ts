/** The `npm i …` lines of the README's shell blocks, in order. */
export function readmeInstallCommands(readme: string): string[] {
  const commands: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      const command = line.replace(/#.*$/, '').trim();
      if (/^npm (i|install) /.test(command)) commands.push(command);
    }
  }
  if (commands.length === 0) throw new Error('the README has no npm install line');
  return commands;
}

/** The TypeScript block of the README that starts with `firstLine`, verbatim. */
export function codeBlock(readme: string, firstLine: string): string {
  for (const block of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    if (block[1]!.startsWith(firstLine)) return block[1]!;
  }
  throw new Error(`the README has no code block starting with ${firstLine}`);
}
