// An empty libnode.dll for `npm run test:windows` only: napi-build's windows-gnu setup wants one to link
// against; the addon imports nothing from it (dyn-symbols), as scripts/test-windows.js checks.
#include <windows.h>

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance;
  (void)reason;
  (void)reserved;
  return TRUE;
}
