import { linkDownloadOperation, packageDownloadOperation } from './download';
import type { CustomOperations } from './types';
import { uploadOperation } from './upload';

/** Upload and download of files: the transfer engine behind n8n binaries. */
export const transferOperations: CustomOperations = {
	package: { upload: uploadOperation, download: packageDownloadOperation },
	link: { download: linkDownloadOperation },
};
