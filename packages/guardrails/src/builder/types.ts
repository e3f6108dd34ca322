/**
 * All type-level machinery of the guarded builder lives here.
 *
 * tRPC's `ProcedureBuilder` returns a fresh builder from every call, so the extra methods only
 * survive if every builder-returning method is restated to return a guarded builder with the
 * same generics tRPC computes. Signatures mirror `@trpc/server` 11.25 (`procedureBuilder.ts`).
 */
import type {
  CallerOverride,
  inferParser,
  MiddlewareBuilder,
  MiddlewareFunction,
  Overwrite,
  Parser,
  ProcedureBuilder,
  ProcedureErrorFormatter,
  Simplify,
  TRPCErrorShape,
  TypeError as TrpcTypeError,
  UnsetMarker,
} from '@trpc/server/unstable-core-do-not-import';
import type { IdempotencyContext, UnguardedIdempotencyContext } from '../idempotency/context.js';
import type { IdempotentOptions, KeyedIdempotentOptions } from '../idempotency/options.js';
import type { RateLimitedOptions } from '../rate-limit/options.js';

/** @internal Same as tRPC's (unexported) helper. */
export type IntersectIfDefined<TType, TWith> = TType extends UnsetMarker
  ? TWith
  : TWith extends UnsetMarker
    ? TType
    : Simplify<TType & TWith>;

/** @internal Same as tRPC's (unexported) helper. */
export type FoldErrorShape<TErrorShape, $Shape> = Extract<$Shape, TRPCErrorShape> | TErrorShape;

/**
 * @internal The input after `.idempotent()` and `.input()` met: the key is a property of an
 * object input, but a field of a `FormData` input (a `<form action>`), which gains no property.
 */
export type WithKeyInput<TInputIn> = [TInputIn] extends [FormData]
  ? TInputIn
  : IntersectIfDefined<TInputIn, IdempotencyKeyInput>;

/**
 * @internal The input after `.idempotent({ required: false })`: the key is an optional property
 * (an input that may be left out still may), or a field of a `FormData` input.
 */
export type WithOptionalKeyInput<TInputIn> = [TInputIn] extends [FormData]
  ? TInputIn
  : [TInputIn] extends [UnsetMarker]
    ? OptionalIdempotencyKeyInput | undefined
    : TInputIn extends undefined
      ? undefined
      : Simplify<TInputIn & OptionalIdempotencyKeyInput>;

/** @internal `IntersectIfDefined` for `.input()`, where a `FormData` parser drops the key property. */
export type WithParsedInput<TInputIn, $In> = [$In] extends [FormData]
  ? [TInputIn] extends [IdempotencyKeyInput]
    ? $In
    : [TInputIn] extends [OptionalIdempotencyKeyInput | undefined]
      ? $In
      : IntersectIfDefined<TInputIn, $In>
  : IntersectIfDefined<TInputIn, $In>;

/**
 * @internal What `fingerprint.select` of `.idempotent({ key })` gets: the raw input, typed by the
 * `.input()` calls before `.idempotent()` (before any validator ran: not checked yet), else
 * `unknown`.
 */
export type SelectInput<TInputIn> = [TInputIn] extends [UnsetMarker] ? unknown : TInputIn;

/** @internal `SelectInput` without the `idempotencyKey` property, which is read and removed first. */
export type KeylessSelectInput<TInputIn> = [TInputIn] extends [UnsetMarker]
  ? unknown
  : TInputIn extends object
    ? 'idempotencyKey' extends keyof TInputIn
      ? Simplify<Omit<TInputIn, 'idempotencyKey'>>
      : TInputIn
    : TInputIn;

/** The input field that carries the idempotency key. */
export interface IdempotencyKeyInput {
  /** One key per user intent: keep it across retries, make a new one for the next intent. */
  idempotencyKey: string;
}

/** The input field of `.idempotent({ required: false })`: without it, the call runs unguarded. */
export interface OptionalIdempotencyKeyInput {
  /** One key per user intent; leave it out to call without idempotency. */
  idempotencyKey?: string;
}

/**
 * tRPC's procedure builder plus `.rateLimited()` and `.idempotent()`. Every method returns a
 * guarded builder again, so the extra methods are available at any point of the chain.
 */
export interface GuardedProcedureBuilder<
  TScopes extends string,
  TContext,
  TMeta,
  TContextOverrides,
  TInputIn,
  TInputOut,
  TOutputIn,
  TOutputOut,
  TCaller extends boolean,
  TErrorShape = unknown,
> {
  /**
   * Limits calls per scope. Several scopes (or several consecutive `.rateLimited()` calls)
   * are checked together in one store round trip, and with an `.idempotent()` right after.
   * @example procedure.rateLimited(['ip', 'user'], { cost: 5 })
   */
  rateLimited(
    scope: TScopes | readonly [TScopes, ...TScopes[]],
    options?: RateLimitedOptions<Simplify<Overwrite<TContext, TContextOverrides>>>,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;

  /**
   * Makes the procedure idempotent with a key derived by `options.key`, when there is one: a
   * call whose `key` function returns nothing runs unguarded (`ctx.idempotency.key` is
   * `undefined`). The input type is unchanged.
   */
  idempotent(
    options: KeyedIdempotentOptions<
      Simplify<Overwrite<TContext, TContextOverrides>>,
      SelectInput<TInputIn>
    > & {
      required: false;
    },
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    Overwrite<TContextOverrides, { idempotency: IdempotencyContext | UnguardedIdempotencyContext }>,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;
  /**
   * Makes the procedure idempotent with a key derived by `options.key` (e.g. a webhook's event
   * id). The input type is unchanged.
   */
  idempotent(
    options: KeyedIdempotentOptions<
      Simplify<Overwrite<TContext, TContextOverrides>>,
      SelectInput<TInputIn>
    > & {
      required?: true;
    },
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    Overwrite<TContextOverrides, { idempotency: IdempotencyContext }>,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;
  /**
   * Makes the procedure idempotent for the calls that send a key: its input gains
   * `idempotencyKey?: string`; a call without one runs unguarded (`ctx.idempotency.key` is
   * `undefined`, `onEvent` gets `unguarded`).
   */
  idempotent(
    options: IdempotentOptions<
      Simplify<Overwrite<TContext, TContextOverrides>>,
      KeylessSelectInput<TInputIn>
    > & {
      required: false;
    },
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    Overwrite<TContextOverrides, { idempotency: IdempotencyContext | UnguardedIdempotencyContext }>,
    WithOptionalKeyInput<TInputIn>,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;
  /**
   * Makes the procedure idempotent: its input gains `idempotencyKey: string`, which is removed
   * before your `.input()` validators run (so `.strict()` schemas work) and exposed as
   * `ctx.idempotency.key`. Put it before `.input()`.
   */
  idempotent(
    options?: IdempotentOptions<
      Simplify<Overwrite<TContext, TContextOverrides>>,
      KeylessSelectInput<TInputIn>
    > & {
      required?: true;
    },
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    Overwrite<TContextOverrides, { idempotency: IdempotencyContext }>,
    WithKeyInput<TInputIn>,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;

  input<$Parser extends Parser>(
    schema: TInputOut extends UnsetMarker
      ? $Parser
      : inferParser<$Parser>['out'] extends Record<string, unknown> | undefined
        ? TInputOut extends Record<string, unknown> | undefined
          ? undefined extends inferParser<$Parser>['out']
            ? undefined extends TInputOut
              ? $Parser
              : TrpcTypeError<'Cannot chain an optional parser to a required parser'>
            : $Parser
          : TrpcTypeError<'All input parsers did not resolve to an object'>
        : TrpcTypeError<'All input parsers did not resolve to an object'>,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    TContextOverrides,
    WithParsedInput<TInputIn, inferParser<$Parser>['in']>,
    IntersectIfDefined<TInputOut, inferParser<$Parser>['out']>,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;

  output<$Parser extends Parser>(
    schema: $Parser,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    IntersectIfDefined<TOutputIn, inferParser<$Parser>['in']>,
    IntersectIfDefined<TOutputOut, inferParser<$Parser>['out']>,
    TCaller,
    TErrorShape
  >;

  meta(
    meta: TMeta,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;

  errors<$Shape extends TRPCErrorShape | undefined | void>(
    formatter: ProcedureErrorFormatter<TContext, TContextOverrides, $Shape>,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    FoldErrorShape<TErrorShape, $Shape>
  >;

  use<$ContextOverridesOut>(
    fn:
      | MiddlewareBuilder<Overwrite<TContext, TContextOverrides>, TMeta, $ContextOverridesOut, TInputOut>
      | MiddlewareFunction<TContext, TMeta, TContextOverrides, $ContextOverridesOut, TInputOut>,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    Overwrite<TContextOverrides, $ContextOverridesOut>,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;

  concat<$Context, $Meta, $ContextOverrides, $InputIn, $InputOut, $OutputIn, $OutputOut, $ErrorShape>(
    builder: Overwrite<TContext, TContextOverrides> extends $Context
      ? TMeta extends $Meta
        ? ProcedureBuilder<
            $Context,
            $Meta,
            $ContextOverrides,
            $InputIn,
            $InputOut,
            $OutputIn,
            $OutputOut,
            TCaller,
            $ErrorShape
          >
        : TrpcTypeError<'Meta mismatch'>
      : TrpcTypeError<'Context mismatch'>,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    Overwrite<TContextOverrides, $ContextOverrides>,
    IntersectIfDefined<TInputIn, $InputIn>,
    IntersectIfDefined<TInputOut, $InputOut>,
    IntersectIfDefined<TOutputIn, $OutputIn>,
    IntersectIfDefined<TOutputOut, $OutputOut>,
    TCaller,
    FoldErrorShape<TErrorShape, $ErrorShape>
  >;

  experimental_caller(
    caller: CallerOverride<TContext>,
  ): GuardedProcedureBuilder<
    TScopes,
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    true,
    TErrorShape
  >;

  query: ProcedureBuilder<
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >['query'];
  mutation: ProcedureBuilder<
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >['mutation'];
  subscription: ProcedureBuilder<
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >['subscription'];

  /** @internal tRPC's builder definition, with pending guards folded in. */
  _def: ProcedureBuilder<
    TContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >['_def'];
}

/** Any guarded builder, for generic constraints. */
export type AnyGuardedProcedureBuilder = GuardedProcedureBuilder<
  any,
  any,
  any,
  any,
  any,
  any,
  any,
  any,
  any,
  any
>;

/** The scope names a guarded builder accepts. */
export type inferGuardScopes<TBuilder> =
  TBuilder extends GuardedProcedureBuilder<infer TScopes, any, any, any, any, any, any, any, any, any>
    ? TScopes
    : never;
