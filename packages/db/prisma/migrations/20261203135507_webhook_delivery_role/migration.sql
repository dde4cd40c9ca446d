-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN     "customRoleId" UUID,
ADD COLUMN     "role" "Role" NOT NULL DEFAULT 'ADMIN';

-- AddForeignKey
ALTER TABLE "Webhook" ADD CONSTRAINT "Webhook_customRoleId_fkey" FOREIGN KEY ("customRoleId") REFERENCES "CustomRole"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
