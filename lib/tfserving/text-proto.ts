/**
 * A minimal writer of protobuf text format, the format TF Serving reads for --model_config_file,
 * --batching_parameters_file and --monitoring_config_file (parsed with protobuf's TextFormat::Parse).
 *
 * It prints what protobuf's own TextFormat printer prints: `name: value` for scalars and
 * `name {` … `}` for messages, two-space indentation, one field per line, strings double-quoted with
 * C escapes. No library on npm writes text format, so this one does only that.
 */
export class TextProtoWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  /** Writes `name: "value"` (string), `name: 12` (integer) or `name: true` (bool). */
  public scalar(name: string, value: string | number | boolean): this {
    this.lines.push(`${this.indent()}${name}: ${literal(value)}`);
    return this;
  }

  /** Writes a protobuf wrapper message (`google.protobuf.Int64Value` …): `name { value: 32 }`. */
  public wrapper(name: string, value: string | number | boolean): this {
    this.lines.push(`${this.indent()}${name} { value: ${literal(value)} }`);
    return this;
  }

  /** Writes a nested message: `name {`, the body, `}`. An empty body writes `name {\n}`. */
  public message(name: string, body: (w: this) => void): this {
    this.lines.push(`${this.indent()}${name} {`);
    this.depth++;
    body(this);
    this.depth--;
    this.lines.push(`${this.indent()}}`);
    return this;
  }

  /** The text, ending with a newline. */
  public toString(): string {
    return this.lines.map((l) => `${l}\n`).join('');
  }

  private indent(): string {
    return '  '.repeat(this.depth);
  }
}

function literal(value: string | number | boolean): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`text proto: ${value} is not an integer`);
    return String(value);
  }
  return value ? 'true' : 'false';
}

/** Double-quotes a string with the C escapes protobuf's text format understands. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8).padStart(3, '0')}`;
    else if (c > 0x7f) out += [...Buffer.from(ch, 'utf8')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    else out += ch;
  }
  return `${out}"`;
}
