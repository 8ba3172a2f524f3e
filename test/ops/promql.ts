/**
 * Parses PromQL with Prometheus's own grammar (@prometheus-io/lezer-promql, the parser of the Prometheus UI) and
 * returns the syntax errors: the positions where the parser had to insert an error node.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Syntax errors of one PromQL expression; empty when it parses. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
    },
  });
  return errors;
}

/** Every expression that does not parse, with its errors. */
export function unparsable(exprs: string[]): { expr: string; errors: string[] }[] {
  return exprs.map((expr) => ({ expr, errors: promqlErrors(expr) })).filter((r) => r.errors.length > 0);
}
