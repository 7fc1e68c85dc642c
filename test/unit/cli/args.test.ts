import { describe, expect, it } from 'vitest';
import { parseArgs, type OptionSpec } from '../../../server/src/cli/args';
import { CliError } from '../../../server/src/cli/errors';

const specs: OptionSpec[] = [
  { name: 'format', value: 'FORMAT', choices: ['text', 'json', 'sarif'], help: '' },
  { name: 'json', alias: { name: 'format', value: 'json' }, help: '' },
  { name: 'layout', value: 'NAME', repeat: true, help: '' },
  { name: 'stdio', help: '' },
];

function fail(argv: string[]): CliError {
  try {
    parseArgs(argv, specs, 'check');
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error('expected a usage error');
}

describe('parseArgs', () => {
  it('mixes positionals and options in any order, with both value spellings', () => {
    const a = parseArgs(['a.shard', '--format', 'json', 'b.shard', '--layout=x', '--layout', 'y'], specs, 'check');
    expect(a.positionals).toEqual(['a.shard', 'b.shard']);
    expect(a.options.get('format')).toBe('json');
    expect(a.lists.get('layout')).toEqual(['x', 'y']);
    expect(a.help).toBe(false);
  });

  it('treats a lone - as standard input and everything after -- as positionals', () => {
    const a = parseArgs(['-', '--', '--format', '-x'], specs, 'check');
    expect(a.positionals).toEqual(['-', '--format', '-x']);
    expect(a.options.size).toBe(0);
  });

  it('expands --json to --format json (cli.md: synonyms)', () => {
    expect(parseArgs(['--json'], specs, 'check').options.get('format')).toBe('json');
  });

  it('sets flags and notices --help and -h anywhere', () => {
    expect(parseArgs(['--stdio'], specs, 'lsp').options.get('stdio')).toBe('true');
    expect(parseArgs(['a', '-h'], specs, 'check').help).toBe(true);
    expect(parseArgs(['--help', '--format', 'text'], specs, 'check').help).toBe(true);
  });

  it('reports every mistake as a usage error with exit status 2 and a pointer to the help', () => {
    const cases: [string[], string][] = [
      [['--nope'], "unknown option '--nope' for 'check'"],
      [['-x'], "unknown option '-x' for 'check'"],
      [['--format'], "option '--format' needs a value (FORMAT)"],
      [['--format', '--json'], "option '--format' needs a value (FORMAT)"],
      [['--format='], "option '--format' needs a non-empty value (FORMAT)"],
      [['--format', 'xml'], "--format must be text, json or sarif, not 'xml'"],
      [['--stdio=yes'], "option '--stdio' takes no value"],
      [['--json=1'], "option '--json' takes no value"],
    ];
    for (const [argv, message] of cases) {
      const e = fail(argv);
      expect(e.message, argv.join(' ')).toBe(message);
      expect(e.exitCode).toBe(2);
      expect(e.hint).toBe("see 'shardlens check --help'");
    }
  });
});
