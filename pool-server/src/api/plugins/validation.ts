import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';

/**
 * fastify's own ajv setup (string formats included) with nothing coerced: unknown fields
 * are refused (additionalProperties: false), not silently dropped, and a JSON body's
 * types are exact — "50" is not a number, 1 is not true, null is nothing else.
 */
const compileExact = AjvCompiler()(
  {},
  { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
);

/** A number as JSON writes it: no hex, no blanks, no Infinity. */
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

interface FieldSchema {
  readonly type?: string | readonly string[];
  readonly items?: FieldSchema;
}

/** A text value as the declared type, or the text unchanged for the validator to refuse. */
function fromText(text: unknown, schema: FieldSchema): unknown {
  const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
  if (types.includes('array')) {
    const list = Array.isArray(text) ? (text as unknown[]) : [text];
    return schema.items ? list.map((item) => fromText(item, schema.items ?? {})) : list;
  }
  if (typeof text !== 'string' || types.includes('string')) {
    return text;
  }
  for (const type of types) {
    if ((type === 'number' || type === 'integer') && DECIMAL.test(text)) {
      return Number(text);
    }
    if (type === 'boolean' && (text === 'true' || text === 'false')) {
      return text === 'true';
    }
  }
  return text;
}

/**
 * Query strings, path parameters and headers arrive as text: each field declared a
 * number, boolean or array is converted from its exact text form (`?limit=50`,
 * `?all=true`, a repeated key), then validated exactly as a body is.
 */
function compileFromText(schema: FastifySchema): ReturnType<FastifySchemaCompiler<unknown>> {
  const validate = compileExact({ schema });
  const { properties = {} } = schema as { properties?: Record<string, FieldSchema> };
  const check = (data: unknown): boolean => {
    if (data !== null && typeof data === 'object') {
      const fields = data as Record<string, unknown>;
      for (const [name, field] of Object.entries(properties)) {
        if (fields[name] !== undefined) {
          fields[name] = fromText(fields[name], field);
        }
      }
    }
    const valid = validate(data) as boolean;
    check.errors = validate.errors ?? null;
    return valid;
  };
  check.errors = validate.errors ?? null;
  return check;
}

/**
 * The documented way to treat the parts of a request differently (fastify's
 * Validation-and-Serialization guide: one compiler per HTTP part): bodies exact, the
 * text parts converted strictly.
 */
export function installValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? compileExact({ schema }) : compileFromText(schema),
  );
}
