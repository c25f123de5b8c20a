import type { Response } from 'express';
import type { ExportPlan, ExportService } from '../src/domain/exports/export.service.js';

/**
 * Sends an export file: its type and name first, then the file as the domain writes it, page by page, reading no
 * further than the client takes. A client that leaves stops the reading; an error after the first byte cuts the
 * connection (the router's error handler), so a truncated file is never taken for a whole one.
 */
export async function sendExport(exports: ExportService, plan: ExportPlan, res: Response): Promise<void> {
  const left = new AbortController();
  res.on('close', () => left.abort());
  res.status(200);
  res.setHeader('Content-Type', plan.contentType);
  res.setHeader(
    'Content-Disposition',
    `attachment; filename="${plan.fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(plan.fileName)}`,
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  await exports.write(plan, res, left.signal);
}
