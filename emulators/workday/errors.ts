// Workday's error bodies. The REST API answers JSON: `{"error": "...", "errors": [{"error", "field"}]}`
// for validation, `{"error": "..."}` otherwise. RaaS answers a SOAP-style fault in XML whatever
// format was asked for, with the prompt that was refused in the validation detail.

import type { ServerResponse } from 'node:http';

export interface FieldError {
  error: string;
  field: string;
}

export function restError(res: ServerResponse, status: number, error: string, errors?: FieldError[], headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(JSON.stringify(errors ? { error, errors } : { error }));
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function raasFault(res: ServerResponse, status: number, code: string, message: string, detail?: { message: string; field?: string }): void {
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
  const validation = detail
    ? `<detail><wd:Validation_Fault xmlns:wd="urn:com.workday/bsvc"><wd:Validation_Error><wd:Message>${xml(detail.message)}</wd:Message>` +
      `<wd:Detail_Message>${xml(detail.message)}</wd:Detail_Message>${detail.field ? `<wd:Xpath>${xml(detail.field)}</wd:Xpath>` : ''}</wd:Validation_Error></wd:Validation_Fault></detail>`
    : '';
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault>` +
      `<faultcode>SOAP-ENV:${code}</faultcode><faultstring>${xml(message)}</faultstring>${validation}</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`,
  );
}
