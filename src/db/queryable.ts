/** Anything that answers parameterized SQL with rows: a raw session, or a Prisma client/transaction (asQueryable). */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}
