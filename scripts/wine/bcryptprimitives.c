// bcryptprimitives.dll for `npm run test:windows` only (never shipped): the ProcessPrng Wine 8 lacks, filled
// from Wine's system RNG. Built by scripts/test-windows.js with mingw; bcryptprimitives.def names the export.
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
  while (size > 0) {
    ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
    if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
      TerminateProcess(GetCurrentProcess(), 0xC0000001);
    }
    data += chunk;
    size -= chunk;
  }
  return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance;
  (void)reason;
  (void)reserved;
  return TRUE;
}
