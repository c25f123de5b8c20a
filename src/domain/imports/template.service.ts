import type { PrismaClient } from '../../db/client.js';
import type { Scope } from '../context.js';
import { invalidArgument, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { parseTemplate, parseTemplatePatch, storedColumns, type TemplateColumn } from './template.schema.js';

export interface ImportTemplate {
  id: string;
  name: string;
  description: string | null;
  columns: TemplateColumn[];
  createdAt: Date;
  updatedAt: Date;
}

type Row = {
  id: string;
  name: string;
  description: string | null;
  columns: unknown;
  createdAt: Date;
  updatedAt: Date;
};

const toTemplate = (row: Row): ImportTemplate => ({
  id: row.id,
  name: row.name,
  description: row.description,
  columns: storedColumns(row.columns),
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export const MAX_TEMPLATE_PAGE = 100;

/** Import templates of a space (seed 001, Rowporter): the columns an import expects and their rules. */
export function createImportTemplateService(prisma: PrismaClient) {
  const missing = () => notFound('The import template does not exist', { parameter: 'templateId' });

  async function get(scope: Scope, id: string): Promise<ImportTemplate> {
    const row = await prisma.importTemplate.findFirst({ where: { id, spaceId: scope.spaceId } });
    if (!row) throw missing();
    return toTemplate(row);
  }

  return {
    get,
    async list(scope: Scope, page = 1, pageSize = 20): Promise<{ templates: ImportTemplate[]; total: number }> {
      if (!Number.isInteger(page) || page < 1)
        throw invalidArgument('pageNum must be a positive integer', { parameter: 'pageNum' });
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_TEMPLATE_PAGE)
        throw invalidArgument(`pageSize must be an integer from 1 to ${MAX_TEMPLATE_PAGE}`, { parameter: 'pageSize' });
      const where = { spaceId: scope.spaceId };
      const [rows, total] = await Promise.all([
        prisma.importTemplate.findMany({
          where,
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          skip: (page - 1) * pageSize,
          take: pageSize,
        }),
        prisma.importTemplate.count({ where }),
      ]);
      return { templates: rows.map(toTemplate), total };
    },
    async create(scope: Scope, input: unknown): Promise<ImportTemplate> {
      const parsed = parseTemplate(input);
      const row = await prisma.importTemplate.create({
        data: {
          id: newId('importTemplate'),
          spaceId: scope.spaceId,
          name: parsed.name,
          description: parsed.description,
          columns: parsed.columns as never,
          createdBy: scope.userId,
        },
      });
      return toTemplate(row);
    },
    async update(scope: Scope, id: string, input: unknown): Promise<ImportTemplate> {
      const patch = parseTemplatePatch(input);
      const updated = await prisma.importTemplate.updateManyAndReturn({
        where: { id, spaceId: scope.spaceId },
        data: {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.columns !== undefined ? { columns: patch.columns as never } : {}),
          updatedAt: new Date(),
        },
      });
      if (!updated[0]) throw missing();
      return toTemplate(updated[0]);
    },
    /** Deletes the template; imports made with it keep their reports. */
    async delete(scope: Scope, id: string): Promise<{ id: string }> {
      const { count } = await prisma.importTemplate.deleteMany({ where: { id, spaceId: scope.spaceId } });
      if (count === 0) throw missing();
      return { id };
    },
  };
}

export type ImportTemplateService = ReturnType<typeof createImportTemplateService>;
