// Import this before the harness to run a test file with n8n's in-memory binary mode ("default"),
// where binaries live as base64 in the item instead of on disk.
process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'default';
export {};
