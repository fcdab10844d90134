// bcryptprimitives.dll for `npm run test:windows` only (never shipped): Wine 8 has no ProcessPrng,
// which Rust's standard library (and so the addon) and Node for Windows import from
// bcryptprimitives.dll to get random bytes. This DLL exports ProcessPrng and fills the buffer from
// Wine's real system RNG (BCryptGenRandom with the system-preferred RNG, 1 GiB at most per call),
// ending the process if that fails, as Windows documents ProcessPrng never to return failure.
// Built with x86_64-w64-mingw32-gcc by scripts/test-windows.js (bcryptprimitives.def names the export).
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
