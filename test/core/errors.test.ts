import { ConfigError, fail, reraiseAs } from '../../lib/core/errors';

test('fail writes the project format and keeps the parts', () => {
  let error: ConfigError | undefined;
  try {
    fail('Thing \'a\'', 'size', 3, 'be even', 'use 4');
  } catch (e) {
    error = e as ConfigError;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect(error!.message).toBe('Thing \'a\': \'size\' (3) must be even. Fix: use 4');
  expect(error!.parts).toEqual({ subject: 'Thing \'a\'', prop: 'size', value: '3', rule: 'be even', fix: 'use 4' });
});

test('reraiseAs names the outer construct and prop, and says which generated item failed', () => {
  expect(() => reraiseAs('Outer \'o\'', (p) => `inner.${p}`, 'item 2', () => fail('Inner \'i\'', 'size', 3, 'be even', 'use 4'))).toThrow(
    'Outer \'o\': \'inner.size\' (3) must be even (item 2). Fix: use 4');
});

test('reraiseAs passes other errors and results through unchanged', () => {
  expect(reraiseAs('Outer \'o\'', (p) => p, 'x', () => 42)).toBe(42);
  expect(() => reraiseAs('Outer \'o\'', (p) => p, 'x', () => {
    throw new TypeError('boom');
  })).toThrow(new TypeError('boom'));
  expect(() => reraiseAs('Outer \'o\'', (p) => p, 'x', () => {
    throw new ConfigError('no parts');
  })).toThrow(/^no parts$/);
});
