import { quote, TextProtoWriter } from '../../lib/tfserving/text-proto';
import { parseModelServerConfig } from '../support/textproto';

describe('quote', () => {
  test('escapes quotes, backslashes and control characters the way protobuf text format reads them', () => {
    expect(quote('a"b\\c\nd\te\r')).toBe('"a\\"b\\\\c\\nd\\te\\r"');
    expect(quote('\x01')).toBe('"\\001"');
  });

  test('non-ASCII is written as octal UTF-8 bytes', () => {
    expect(quote('é')).toBe('"\\303\\251"');
  });

  test('every quoted string parses back to itself', () => {
    for (const s of ['plain', 'gs://b/p', 'with "quotes"', 'back\\slash', 'tab\there', 'line\nbreak']) {
      const parsed = parseModelServerConfig(`model_config_list { config { name: ${quote(s)} } }`) as any;
      expect(parsed.model_config_list.config[0].name).toBe(s);
    }
  });
});

describe('TextProtoWriter', () => {
  test('prints scalars, wrappers and nested messages with two-space indentation', () => {
    const text = new TextProtoWriter()
      .scalar('name', 'x')
      .wrapper('max_batch_size', 8)
      .message('outer', (w) => w.scalar('flag', true).message('inner', (i) => i.scalar('n', 3)))
      .toString();
    expect(text).toBe('name: "x"\nmax_batch_size { value: 8 }\nouter {\n  flag: true\n  inner {\n    n: 3\n  }\n}\n');
  });

  test('refuses a non-integer number', () => {
    expect(() => new TextProtoWriter().scalar('n', 1.5)).toThrow('text proto: 1.5 is not an integer');
  });
});
