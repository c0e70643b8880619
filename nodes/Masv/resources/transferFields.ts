import type { INodeProperties } from 'n8n-workflow';

// Placeholder: the fields of package upload, package download and link download.
export const packageUploadFields: INodeProperties[] = [];
export const packageDownloadFields: INodeProperties[] = [];
export const linkDownloadFields: INodeProperties[] = [];
