// The example's root module: the fake login's controller, and TrustedIdentityModule serving the
// identity endpoint with secrets from MTRIBES_<PLATFORM>_SECRET[_FILE] (read when the app starts).
import { BadRequestException, Controller, HttpCode, Module, Post, Query, Res } from '@nestjs/common'
import type { Request, Response } from 'express'
import { TrustedIdentityModule } from 'mtribes-trusted-identity/nest'
import { loginCookie, userFromCookie } from '../shared/fake-login'

@Controller()
export class LoginController {
  /** POST /login?user=<id>: whoever names a user is that user (the examples' fake login). */
  @Post('login')
  @HttpCode(200)
  login(@Query('user') user: unknown, @Res({ passthrough: true }) res: Response): { loggedIn: string } {
    if (typeof user !== 'string' || user === '') throw new BadRequestException('pass ?user=<id>')
    res.setHeader('Set-Cookie', loginCookie(user))
    return { loggedIn: user }
  }
}

@Module({
  imports: [
    // The whole integration: GET /mtribes/identity answers 200 {"userId","platform","signed"},
    // 401 without a user, 400 for a missing, repeated or unconfigured platform (?platform= or the
    // X-Mtribes-Platform header). With passport, userId would be (req) => req.user?.id.
    TrustedIdentityModule.forRoot({
      fromEnv: true,
      controller: { userId: (req: Request) => userFromCookie(req.headers.cookie) },
    }),
  ],
  controllers: [LoginController],
})
export class AppModule {}
