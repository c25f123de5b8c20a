import { readFileSync } from 'node:fs';

/** Just enough of a schema.prisma reader to compare the declared models with a migrated database. */
export interface PrismaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: string;
}

export interface PrismaModel {
  name: string;
  table: string;
  fields: PrismaField[];
  /** Column lists of @@id / @id. */
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
  /** Relation fields that own the foreign key: local columns -> referenced table. */
  foreignKeys: { columns: string[]; references: string }[];
}

export interface PrismaSchema {
  models: PrismaModel[];
  enums: Map<string, string[]>;
}

export function readPrismaSchema(file: string): PrismaSchema {
  const text = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  const enums = new Map<string, string[]>();
  for (const [, name, body] of text.matchAll(/^enum\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    enums.set(
      name!,
      body!
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  }
  const blocks = [...text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map(([, name, body]) => ({
    name: name!,
    body: body!,
  }));
  const modelNames = new Set(blocks.map((b) => b.name));
  const tableOf = new Map(blocks.map((b) => [b.name, /@@map\("([^"]+)"\)/.exec(b.body)?.[1] ?? b.name]));
  const models = blocks.map(({ name, body }) => {
    const all = body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('@@'))
      .map((line) => {
        const [, fname, type, mod, attributes] = /^(\w+)\s+(\w+)(\[\]|\?)?\s*(.*)$/.exec(line)!;
        return {
          name: fname!,
          column: /@map\("([^"]+)"\)/.exec(attributes!)?.[1] ?? fname!,
          type: type!,
          optional: mod === '?',
          list: mod === '[]',
          attributes: attributes!,
        };
      });
    const columnOf = (field: string) => all.find((f) => f.name === field)!.column;
    const columnsOf = (list: string) => list.split(',').map((s) => columnOf(s.trim()));
    const blockAttr = (attr: string) =>
      [...body.matchAll(new RegExp(`@@${attr}\\(\\[([^\\]]+)\\]`, 'g'))].map((m) => columnsOf(m[1]!));
    const scalars = all.filter((f) => !modelNames.has(f.type));
    const relations = all.filter((f) => modelNames.has(f.type) && /fields:\s*\[/.test(f.attributes));
    return {
      name,
      table: tableOf.get(name)!,
      fields: scalars,
      primaryKey: blockAttr('id')[0] ?? scalars.filter((f) => /@id\b/.test(f.attributes)).map((f) => f.column),
      uniques: [
        ...blockAttr('unique'),
        ...scalars.filter((f) => /@unique\b/.test(f.attributes)).map((f) => [f.column]),
      ],
      indexes: blockAttr('index'),
      foreignKeys: relations.map((f) => ({
        columns: columnsOf(/fields:\s*\[([^\]]+)\]/.exec(f.attributes)![1]!),
        references: tableOf.get(f.type)!,
      })),
    };
  });
  return { models, enums };
}
