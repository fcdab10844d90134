// Example: a NestJS app in plain JavaScript (decorators applied as functions) with a fake login and
// the mtribes identity endpoint, using TrustedIdentityModule and an injected TrustedIdentity.
//   MTRIBES_IOS_SECRET=... MTRIBES_BROWSER_SECRET=... node examples/nest/main.js
// (HOST and PORT change where it listens; default 127.0.0.1:3000.) In TypeScript, write the same
// with @Module/@Controller/@Get syntax and `constructor(private readonly identity: TrustedIdentity)`.
// Outside this repository, require the same names from 'mtribes-trusted-identity/nest'.
'use strict'

const { NestFactory } = require('@nestjs/core')
const {
  BadRequestException,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Module,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} = require('@nestjs/common')
const { TrustedIdentityModule, TrustedIdentity } = require('mtribes-trusted-identity/nest')

const USER_COOKIE = 'demo_user'

/** Fake login, for the example only: the user named by the demo_user cookie. */
function userOf(req) {
  const cookie = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${USER_COOKIE}=`))
  try {
    return cookie ? decodeURIComponent(cookie.slice(USER_COOKIE.length + 1)) : undefined
  } catch {
    return undefined
  }
}

/** Applies a method decorator the way TypeScript's `@Decorator` syntax would. */
function decorateMethod(cls, name, ...decorators) {
  for (const decorator of decorators.reverse()) {
    decorator(cls.prototype, name, Object.getOwnPropertyDescriptor(cls.prototype, name))
  }
}

class LoginController {
  // POST /login?user=<id>: whoever names a user is that user (a fake login).
  login(user, res) {
    if (typeof user !== 'string' || user === '') throw new BadRequestException('pass ?user=<id>')
    res.cookie(USER_COOKIE, user, { httpOnly: true, sameSite: 'lax' })
    return { loggedIn: user }
  }
}
Controller()(LoginController)
Query('user')(LoginController.prototype, 'login', 0)
Res({ passthrough: true })(LoginController.prototype, 'login', 1)
decorateMethod(LoginController, 'login', Post('login'), HttpCode(200))

class IdentityController {
  constructor(identity) {
    this.identity = identity
  }

  // GET /mtribes/identity?platform=<name>: the JSON the client passes on to session.start.
  identify(req, platform) {
    const userId = userOf(req)
    if (!userId) throw new UnauthorizedException('not logged in')
    const allowed = this.identity.platforms
    if (typeof platform !== 'string' || !allowed.includes(platform)) {
      throw new BadRequestException({ error: 'platform is missing or not configured', allowed })
    }
    return { userId, platform, signed: this.identity.sign(userId, platform) }
  }
}
Controller('mtribes')(IdentityController)
Inject(TrustedIdentity)(IdentityController, undefined, 0)
Req()(IdentityController.prototype, 'identify', 0)
Query('platform')(IdentityController.prototype, 'identify', 1)
decorateMethod(IdentityController, 'identify', Get('identity'), Header('Cache-Control', 'no-store'))

class AppModule {}
Module({
  // fromEnv: MTRIBES_<PLATFORM>_SECRET[_FILE]; global: any module can inject TrustedIdentity.
  imports: [TrustedIdentityModule.forRoot({ fromEnv: true, global: true })],
  controllers: [LoginController, IdentityController],
})(AppModule)

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], abortOnError: false })
  app.enableShutdownHooks() // SIGTERM/SIGINT: close the app, which disposes the TrustedIdentity
  const host = process.env.HOST ?? '127.0.0.1'
  await app.listen(Number(process.env.PORT ?? 3000), host)
  console.log(`listening on http://${host}:${app.getHttpServer().address().port}`)
}

if (require.main === module) {
  bootstrap().catch((error) => {
    console.error(`cannot start: ${error.code ? `${error.code}: ` : ''}${error.message}`)
    process.exitCode = 1
  })
}

module.exports = { AppModule }
