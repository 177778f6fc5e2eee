using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ward.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DomainObservations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DomainObservations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Environment = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Records = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    PointsAtManager = table.Column<bool>(type: "boolean", nullable: false),
                    Since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DomainObservations", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DomainObservations_Environment_Domain_Since",
                table: "DomainObservations",
                columns: new[] { "Environment", "Domain", "Since" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DomainObservations");
        }
    }
}
